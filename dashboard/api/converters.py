"""URL converters for the API's prefixed ids (`lead_12`, `service_3`, `match_7`, `int_4`, `analysis_5`,
`assignment_6`); a bare number works too."""
from werkzeug.routing import BaseConverter

from dashboard.ids import checked_id


class PrefixedId(BaseConverter):
    prefix = ""

    def __init__(self, url_map):
        super().__init__(url_map)
        self.regex = rf"(?:{self.prefix}_)?\d{{1,10}}"

    def to_python(self, value: str) -> int:
        return checked_id(int(value.removeprefix(f"{self.prefix}_")))

    def to_url(self, value) -> str:
        return f"{self.prefix}_{int(value)}"


class LeadId(PrefixedId):
    prefix = "lead"


class ServiceId(PrefixedId):
    prefix = "service"


class MatchId(PrefixedId):
    prefix = "match"


class InteractionId(PrefixedId):
    prefix = "int"


class AnalysisId(PrefixedId):
    prefix = "analysis"


class AssignmentId(PrefixedId):
    prefix = "assignment"


CONVERTERS = {"lead": LeadId, "service": ServiceId, "match": MatchId, "interaction": InteractionId,
              "analysis": AnalysisId, "assignment": AssignmentId}
