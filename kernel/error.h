/*
 * kernel/error.h - the VMM_E* error codes. Functions return 0 (VMM_OK) or a
 * negative code, and callers pass a callee's code up unchanged.
 */
#ifndef KERNEL_ERROR_H
#define KERNEL_ERROR_H

#define VMM_OK          0
#define VMM_EFAIL       1   /* generic failure */
#define VMM_ENOMEM      2   /* out of memory */
#define VMM_EINVALID    3   /* invalid argument or malformed input */
#define VMM_ENOENT      4   /* no such entry */
#define VMM_EEXIST      5   /* already exists */
#define VMM_ERANGE      6   /* out of range */
#define VMM_ENOTAVAIL   7   /* not available (feature, hardware) */
#define VMM_ENOSYS      8   /* not implemented */
#define VMM_EFAULT      9   /* bad address */
#define VMM_EBUSY       10  /* resource busy */
#define VMM_ENOSPC      11  /* no space left in a table */
#define VMM_EACCESS     12  /* access refused */
#define VMM_ETIMEDOUT   13  /* timed out */
#define VMM_EILLEGAL    14  /* illegal operation (e.g. a state transition) */
#define VMM_EOVERFLOW   15  /* value does not fit */
#define VMM_EINTR       16  /* interrupted (Ctrl-C at the terminal) */

/* Short name of an error code (positive or negative), e.g. "ENOMEM". */
const char *vmm_strerror(int err);

#endif
