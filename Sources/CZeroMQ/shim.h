// libzmq 4.3 (Debian's libzmq3-dev). No pkgConfig in Package.swift: libzmq.pc carries -isystem flags
// that SwiftPM rejects, and the module map's `link "zmq"` is all the linker needs.
#include <zmq.h>
