#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>
#include "CKernelSupport.h"

int rlhf_pipe_cloexec(int ends[2]) { return pipe2(ends, O_CLOEXEC) == 0 ? 0 : errno; }

int rlhf_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}
