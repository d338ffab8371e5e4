"""The reward role's answers: a score function's output checked row by row; anything wrong is a
TASK_FAILED with a one-line reason, never a result the learner would refuse."""

import math
import unittest

from rlhf_client.proto import work_pb2
from rlhf_client.scoring import Scorer, checked_scores
from rlhf_client.errors import ScoreFunctionError
from rlhf_client.wire import K
from test_wire import request


class ScoringTests(unittest.TestCase):
    def test_scores_are_the_float32_the_wire_carries(self):
        self.assertEqual(checked_scores([0.1, 2], 2), [0.10000000149011612, 2.0])

    def test_unusable_scores_are_refused(self):
        for scores, words in (([1.0], "1 scores for 2 rows"), ([1.0, math.nan], "score 1"), ([1e39, 0.0], "score 0"),
                              (["0.5", 1.0], "not a number"), (None, "not a sequence"), ([1.0, object()], "score 1")):
            with self.assertRaises(ScoreFunctionError) as caught:
                checked_scores(scores, 2)
            self.assertIn(words, str(caught.exception))

    def test_the_function_gets_the_texts_and_its_scores_go_back(self):
        seen = []
        def score(prompts, responses):
            seen.append((prompts, responses))
            return [len(r) for r in responses]
        kind, body = Scorer(score).answer(request())
        self.assertEqual(seen, [(["Once", "A dog"], ["upon\x00 a time", "ran 🐕"])])
        self.assertEqual(kind, K.KIND_SCORE_RESULT)
        self.assertEqual(list(body.scores), [12.0, 5.0])
        self.assertEqual(body.id, request().id)

    def test_a_failing_function_fails_the_task_in_one_line(self):
        def score(prompts, responses):
            raise RuntimeError("model\nexploded")
        kind, body = Scorer(score).answer(request())
        self.assertEqual(kind, K.KIND_TASK_FAILED)
        self.assertIsInstance(body, work_pb2.TaskFailed)
        self.assertEqual(body.reason, "the score function raised RuntimeError: model\\nexploded")
        kind, body = Scorer(lambda p, r: [1.0]).answer(request())
        self.assertEqual((kind, body.reason), (K.KIND_TASK_FAILED, "the score function returned 1 scores for 2 rows"))


if __name__ == "__main__":
    unittest.main()
