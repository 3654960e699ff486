#ifndef REVIEWTRAIL_CLIBGIT2_SHIM_H
#define REVIEWTRAIL_CLIBGIT2_SHIM_H
#include <git2.h>

/* git_libgit2_opts is variadic and not imported into Swift: one wrapper per option used. */
static inline int reviewtrail_git_disable_strict_object_creation(void) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
}
static inline int reviewtrail_git_set_fsync(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, enabled);
}
#endif
