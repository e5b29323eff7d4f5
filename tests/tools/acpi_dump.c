/*
 * tests/tools/acpi_dump.c - a host program that builds the guest ACPI
 * tables of kernel/acpi_tables.c (PC defaults, N VCPUs, at 0xE0000) and
 * writes each table to DIR/<name>.dat (rsdp, rsdt, xsdt, facp, apic, facs,
 * dsdt) for tests/system/test_acpi_iasl.py to disassemble with iasl.
 *
 *   acpi_dump DIR NR_CPUS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/acpi_tables.h"
#include "kernel/error.h"

#define GPA 0xE0000ULL

static u8 block[64 * 1024];

/* Write the table at offset 'off' (length from its header unless len). */
static int dump(const char *dir, const char *name, u32 off, u32 len)
{
	char path[4096];
	FILE *f;

	if (!len)
		memcpy(&len, block + off + 4, 4);
	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(block + off, 1, len, f) != len || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct acpi_tables_in in;
	struct acpi_tables_out o;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: acpi_dump DIR NR_CPUS\n");
		return 2;
	}
	acpi_tables_pc_defaults(&in, (u32)atoi(argv[2]));
	rc = acpi_tables_build(&in, GPA, block, sizeof(block), &o);
	if (rc) {
		fprintf(stderr, "acpi_tables_build: %d\n", rc);
		return 1;
	}
	return dump(argv[1], "rsdp", o.rsdp, ACPI_RSDP_BYTES) | dump(argv[1], "rsdt", o.rsdt, 0) |
	       dump(argv[1], "xsdt", o.xsdt, 0) | dump(argv[1], "facp", o.fadt, 0) |
	       dump(argv[1], "apic", o.madt, 0) | dump(argv[1], "facs", o.facs, 0) |
	       dump(argv[1], "dsdt", o.dsdt, 0);
}
