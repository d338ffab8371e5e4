#ifndef RLHF_CKERNELSUPPORT_H
#define RLHF_CKERNELSUPPORT_H
#include <stddef.h>
#include <stdint.h>
/* CPU hints Swift has no spelling for; each is a single instruction, inlined into the Swift kernels. */

/* Asks the cache hierarchy to start loading the line holding `address` into L2 (read; locality 1 keeps it
 * out of L1, where a streamed weight would evict the small operand the kernel reuses). */
static inline __attribute__((always_inline)) void rlhf_prefetch_l2(const void *address) {
    __builtin_prefetch(address, 0, 1);
}

/* Tells the core this thread is spin-waiting (x86 `pause`), so a sibling or the memory system is not starved. */
static inline __attribute__((always_inline)) void rlhf_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
/* Pins the calling process (every thread it starts afterwards inherits the mask) to the `count` cores
   in `cores`; returns 0, or the errno of sched_setaffinity (EINVAL: no such core online). */
int rlhf_pin_process_to_cores(const int *cores, int count);
/* A pipe whose two ends close on exec: 0, or errno. */
int rlhf_pipe_cloexec(int ends[2]);
/* posix_spawn_file_actions_addclosefrom_np (glibc 2.34): the child closes every descriptor >= lowest. */
#include <spawn.h>
int rlhf_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest);


/* The cores the process may run on now, written into `cores` (up to `capacity`); returns how many, or -1. */
int rlhf_allowed_cores(int *cores, int capacity);

/* CRC-32C (Castagnoli) of `count` bytes at `bytes`, continuing from `crc` (start with 0): the SSE4.2
   crc32 instruction when the CPU has it, else a table, with the same result. */
uint32_t rlhf_crc32c(uint32_t crc, const void *bytes, size_t count);

/* The same CRC-32C from the table alone (the fallback, kept callable so tests compare the two). */
uint32_t rlhf_crc32c_portable(uint32_t crc, const void *bytes, size_t count);

#endif
