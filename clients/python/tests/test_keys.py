"""Key folders as `rlhf keys issue` writes them: a worker's pair and the learner's public key, with a
secret that others may read, a malformed key, and a FIFO refused."""

import os
import tempfile
import unittest
from pathlib import Path

import zmq

from rlhf_client.errors import KeyFileError
from rlhf_client.keys import ClientKeys, read_key_file


class KeyTests(unittest.TestCase):
    def setUp(self):
        self.folder = Path(tempfile.mkdtemp())
        self.public, self.secret = zmq.curve_keypair()
        self.server, _ = zmq.curve_keypair()
        self.write("reward-1.key", f'curve\n    public-key = "{self.public.decode()}"\n    secret-key = "{self.secret.decode()}"\n', 0o600)
        self.write("learner.public", f'#   ZeroMQ CURVE Public key\ncurve\n    public-key = "{self.server.decode()}"\n', 0o644)

    def write(self, name, text, mode):
        path = self.folder / name
        path.write_text(text)
        os.chmod(path, mode)
        return path

    def test_a_worker_folder_loads(self):
        keys = ClientKeys.load(self.folder, "reward-1")
        self.assertEqual((keys.public_key, keys.secret_key, keys.server_key), (self.public, self.secret, self.server))

    def test_bad_key_files_are_refused(self):
        os.chmod(self.folder / "reward-1.key", 0o644)
        with self.assertRaisesRegex(KeyFileError, "mode 644; run chmod 600"):
            ClientKeys.load(self.folder, "reward-1")
        short = self.write("short.public", 'curve\n    public-key = "abc"\n', 0o644)
        with self.assertRaisesRegex(KeyFileError, "short.public:2: public-key is not 40 characters of Z85"):
            read_key_file(short)
        with self.assertRaisesRegex(KeyFileError, "has no public-key line"):
            read_key_file(self.write("empty.public", "curve\n", 0o644))
        fifo = self.folder / "fifo.key"
        os.mkfifo(fifo)
        with self.assertRaisesRegex(KeyFileError, "not a regular file"):
            read_key_file(fifo)
        with self.assertRaisesRegex(KeyFileError, "cannot read key file"):
            ClientKeys.load(self.folder, "reward-9")


if __name__ == "__main__":
    unittest.main()
