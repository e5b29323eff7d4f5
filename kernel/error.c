/*
 * kernel/error.c - names of the VMM_E* codes for messages.
 */
#include "kernel/error.h"

static const char *const error_names[] = {
	[VMM_OK] = "OK",
	[VMM_EFAIL] = "EFAIL",
	[VMM_ENOMEM] = "ENOMEM",
	[VMM_EINVALID] = "EINVALID",
	[VMM_ENOENT] = "ENOENT",
	[VMM_EEXIST] = "EEXIST",
	[VMM_ERANGE] = "ERANGE",
	[VMM_ENOTAVAIL] = "ENOTAVAIL",
	[VMM_ENOSYS] = "ENOSYS",
	[VMM_EFAULT] = "EFAULT",
	[VMM_EBUSY] = "EBUSY",
	[VMM_ENOSPC] = "ENOSPC",
	[VMM_EACCESS] = "EACCESS",
	[VMM_ETIMEDOUT] = "ETIMEDOUT",
	[VMM_EILLEGAL] = "EILLEGAL",
	[VMM_EOVERFLOW] = "EOVERFLOW",
	[VMM_EINTR] = "EINTR",
};

/* Name of an error code for messages; accepts either sign. */
const char *vmm_strerror(int err)
{
	unsigned int e = err < 0 ? 0u - (unsigned int)err : (unsigned int)err;	/* no overflow for INT_MIN */

	if (e < sizeof(error_names) / sizeof(error_names[0]) && error_names[e])
		return error_names[e];
	return "E?";
}
