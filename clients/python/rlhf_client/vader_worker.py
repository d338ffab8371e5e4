"""The example reward worker: VADER's compound sentiment of each response (vaderSentiment 3.3.2), the
reward of the sentiment run configs, scored in Python. A run with it gives the same metrics.jsonl, bit
for bit, as one with the Swift VADER reward worker (the learner sends the text that worker scores).

    python -m rlhf_client.vader_worker --connect tcp://HOST:PORT --keys DIR --name reward-1
"""

import sys
from typing import List, Optional

from .cli import parser, run
from .errors import UsageError
from .scoring import ScoreFunction


def vader_score_function() -> ScoreFunction:
    """`score(prompts, responses)`: VADER's compound score of each response (the prompt is not scored)."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as error:
        raise UsageError(f"cannot import vaderSentiment ({error}); pip install vaderSentiment==3.3.2") from None
    analyzer = SentimentIntensityAnalyzer()

    def score(prompts: List[str], responses: List[str]) -> List[float]:
        return [analyzer.polarity_scores(response)["compound"] for response in responses]

    return score


def main(argv: Optional[List[str]] = None) -> int:
    """The VADER worker's command line."""
    args = parser("A reward worker for an rlhf cluster scoring VADER's compound sentiment of each response.").parse_args(argv)
    return run(args, vader_score_function, "vader_worker")


if __name__ == "__main__":
    sys.exit(main())
