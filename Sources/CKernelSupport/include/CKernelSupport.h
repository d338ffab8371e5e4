#ifndef RLHF_CKERNELSUPPORT_H
#define RLHF_CKERNELSUPPORT_H
/* CPU hints Swift has no spelling for; each is a single instruction, inlined into the Swift kernels. */

/* Asks the cache hierarchy to start loading the line holding `address` (read, keep in all levels). */
static inline __attribute__((always_inline)) void rlhf_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
