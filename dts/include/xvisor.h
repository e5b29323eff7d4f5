/*
 * dts/include/xvisor.h - macros for xvisor-x86 device trees (run through cpp
 * before dtc). 64-bit attributes must be exactly 8 bytes (chapter 2 rule).
 */
#ifndef DTS_XVISOR_H
#define DTS_XVISOR_H

#define U64(x)      /bits/ 64 <(x)>
#define KiB(x)      ((x) * 0x400)
#define MiB(x)      ((x) * 0x100000)
#define MS(x)       ((x) * 1000000)     /* milliseconds in ns */

/* A region of the guest address space. */
#define REAL_RAM(gpa, size) \
    manifest_type = "real"; address_type = "memory"; device_type = "ram"; \
    guest_physical_addr = U64(gpa); physical_size = U64(size)
#define REAL_ROM(gpa, size) \
    manifest_type = "real"; address_type = "memory"; device_type = "rom"; \
    guest_physical_addr = U64(gpa); physical_size = U64(size)
/* Pass-through: host ports (same numbers), a host device window. */
#define REAL_IO(port, count) \
    manifest_type = "real"; address_type = "io"; device_type = "device"; \
    guest_physical_addr = U64(port); physical_size = U64(count)
#define REAL_DEVICE(gpa, size, hpa) \
    manifest_type = "real"; address_type = "memory"; device_type = "device"; \
    guest_physical_addr = U64(gpa); physical_size = U64(size); host_physical_addr = U64(hpa)
#define VIRTUAL_IO(port, count, compat) \
    manifest_type = "virtual"; address_type = "io"; compatible = compat; \
    guest_physical_addr = U64(port); physical_size = U64(count)
#define VIRTUAL_MMIO(gpa, size, compat) \
    manifest_type = "virtual"; address_type = "memory"; compatible = compat; \
    guest_physical_addr = U64(gpa); physical_size = U64(size)

#endif
