/*
 * kernel/version.h - the version string; GNUmakefile passes VMM_BUILD_ID
 * (git description and build date).
 */
#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H

#define VMM_NAME "xvisor-x86"
#define VMM_VERSION "0.1.0"
#ifndef VMM_BUILD_ID
#define VMM_BUILD_ID "unknown build"
#endif

#endif
