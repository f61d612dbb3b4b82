"""`python -m dashboard.jobs`: the background job worker (`make worker`)."""
from dashboard.jobs.worker import main

main()
