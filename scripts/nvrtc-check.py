#!/usr/bin/env python3
"""Compiles every CUDA kernel source under Sources/CUDA/Kernels with NVRTC through ctypes: a quick check for
kernel authors (the real check is `make cuda-ptx`, which goes through the Swift compiler path).
Usage: nvrtc-check.py LIBNVRTC [ARCH]"""
import ctypes, glob, re, sys

lib = ctypes.CDLL(sys.argv[1])
arch = sys.argv[2] if len(sys.argv) > 2 else "compute_80"
root = __file__.rsplit("/scripts/", 1)[0] + "/Sources/CUDA"
literal = re.compile(r'#"""\n(.*?)"""#', re.S)
prelude = literal.search(open(root + "/Compile/KernelPrelude.swift").read()).group(1)
failed = 0
for path in sorted(glob.glob(root + "/Kernels/*.swift")):
    for source in literal.findall(open(path).read()):
        prog = ctypes.c_void_p()
        assert lib.nvrtcCreateProgram(ctypes.byref(prog), (prelude + "\n" + source).encode(), path.encode(), 0, None, None) == 0
        opts = [b"--gpu-architecture=" + arch.encode(), b"--std=c++17", b"-default-device"]
        status = lib.nvrtcCompileProgram(prog, len(opts), (ctypes.c_char_p * len(opts))(*opts))
        size = ctypes.c_size_t()
        lib.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
        log = ctypes.create_string_buffer(size.value)
        lib.nvrtcGetProgramLog(prog, log)
        text = log.value.decode()
        print(("ok   " if status == 0 else "FAIL ") + path.rsplit("/", 1)[1] + ("\n" + text if text.strip() else ""))
        failed += status != 0
        lib.nvrtcDestroyProgram(ctypes.byref(prog))
sys.exit(1 if failed else 0)
