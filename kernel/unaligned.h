/*
 * kernel/unaligned.h - little-endian loads and stores at any address (in
 * images and tables the guest or a file controls: no alignment assumed).
 */
#ifndef KERNEL_UNALIGNED_H
#define KERNEL_UNALIGNED_H

#include <string.h>
#include "kernel/types.h"

static inline u16 get_le16(const u8 *p)
{
	u16 v;

	memcpy(&v, p, 2);
	return v;
}

static inline u32 get_le32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static inline u64 get_le64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return v;
}

static inline void put_le32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static inline void put_le64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

#endif
