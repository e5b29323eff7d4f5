/*
 * arch/x86_64/cpuinfo.c - the host CPU's identity for the boot banner
 * (kernel/arch_info.h contract): vendor, family/model/stepping, brand.
 */
#include <string.h>
#include "kernel/arch_info.h"
#include "kernel/printk.h"
#include "arch/x86_64/cpu.h"

void arch_cpu_describe(char *buf, size_t size)
{
	u32 a, b, c, d, max_ext;
	char vendor[13], brand[49] = "";
	u32 family, model, stepping;

	cpuid(0, &a, &b, &c, &d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = 0;
	cpuid(1, &a, &b, &c, &d);
	family = (a >> 8) & 0xF;
	model = (a >> 4) & 0xF;
	stepping = a & 0xF;
	if (family == 0xF)
		family += (a >> 20) & 0xFF;
	if (family == 0x6 || family >= 0xF)
		model |= ((a >> 16) & 0xF) << 4;

	cpuid(0x80000000, &max_ext, &b, &c, &d);
	if (max_ext >= 0x80000004) {
		u32 *w = (u32 *)brand;

		for (u32 leaf = 0; leaf < 3; leaf++)
			cpuid(0x80000002 + leaf, &w[leaf * 4], &w[leaf * 4 + 1],
			      &w[leaf * 4 + 2], &w[leaf * 4 + 3]);
		brand[48] = 0;
	}
	/* brand strings are often right-aligned with leading blanks */
	char *bp = brand;

	while (*bp == ' ')
		bp++;
	vmm_snprintf(buf, size, "%s family %u model %u stepping %u \"%s\"", vendor,
		     family, model, stepping, *bp ? bp : "no brand string");
}
