/* Everything in this module is static inline in include/CKernelSupport.h; SwiftPM needs one source file. */
#include "CKernelSupport.h"
