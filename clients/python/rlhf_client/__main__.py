"""`python -m rlhf_client --function module:callable --connect ENDPOINT --keys DIR --name NAME`."""

import sys

from .cli import main

sys.exit(main())
