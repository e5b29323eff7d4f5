/*
 * tests/unit/test_error.c - vmm_strerror() (kernel/error.c): every VMM_E*
 * code has its own name, either sign works, anything else is "E?".
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <limits.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/error.h"

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(vmm_strerror(VMM_OK), "OK");
	assert_string_equal(vmm_strerror(-VMM_ENOMEM), "ENOMEM");
	assert_string_equal(vmm_strerror(VMM_ENOMEM), "ENOMEM");
	assert_string_equal(vmm_strerror(-VMM_EINVALID), "EINVALID");
	assert_string_equal(vmm_strerror(-VMM_ENOSPC), "ENOSPC");
	assert_string_equal(vmm_strerror(-VMM_EOVERFLOW), "EOVERFLOW");
	assert_string_equal(vmm_strerror(-VMM_EINTR), "EINTR");
}

static void test_every_code_named_once(void **state)
{
	const char *names[VMM_EINTR + 1];

	(void)state;
	for (int e = VMM_OK; e <= VMM_EINTR; e++) {
		names[e] = vmm_strerror(-e);
		assert_non_null(names[e]);
		assert_string_not_equal(names[e], "E?");
		assert_string_equal(names[e], vmm_strerror(e));
		for (int k = 0; k < e; k++)
			assert_string_not_equal(names[e], names[k]);
	}
}

static void test_unknown_codes(void **state)
{
	(void)state;
	assert_string_equal(vmm_strerror(VMM_EINTR + 1), "E?");
	assert_string_equal(vmm_strerror(-(VMM_EINTR + 1)), "E?");
	assert_string_equal(vmm_strerror(1000), "E?");
	assert_string_equal(vmm_strerror(INT_MAX), "E?");
	assert_string_equal(vmm_strerror(INT_MIN), "E?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_every_code_named_once),
		cmocka_unit_test(test_unknown_codes),
	};

	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
