"""The AngelCX Dashboard's tests."""
