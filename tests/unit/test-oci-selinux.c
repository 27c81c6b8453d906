/* SELinux label arithmetic, levels and relabel rules (oci/selinux.h): the parts that need
 * no policy. The labels in a machine with SELinux are tested in tests/vm/selinux.bats. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oci/selinux.h"
#include "test.h"
#include "util/cleanup.h"

/* Parts replaced as go-selinux's InitLabels options replace them; the level keeps its colons
 * and commas. */
TEST(selinux_label_parts) {
        static const struct {
                const char *label;
                SelinuxOptions o;
                const char *want;
        } good[] = {
                { "system_u:system_r:container_t:s0", { 0 }, "system_u:system_r:container_t:s0" },
                { "system_u:system_r:container_t:s0", { .level = "s0:c1,c2" }, "system_u:system_r:container_t:s0:c1,c2" },
                { "system_u:system_r:container_t:s0:c1,c2", { .type = "spc_t" }, "system_u:system_r:spc_t:s0:c1,c2" },
                { "system_u:system_r:container_t:s0", { .user = "staff_u", .role = "staff_r", .type = "t", .level = "s0:c0.c1023" },
                  "staff_u:staff_r:t:s0:c0.c1023" },
                { "system_u:system_r:container_t:s0", { .user = "", .role = "", .type = "", .level = "" },
                  "system_u:system_r:container_t:s0" },
                { "u:r:t", { .type = "x_t" }, "u:r:x_t" },
        };
        for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
                _cleanup_(crio_error_clear) CrioError err = {};
                _cleanup_free_ char *l = NULL;
                ASSERT_OK(selinux_label_with(good[i].label, &good[i].o, &l, &err));
                ASSERT_EQ_STR(l, good[i].want);
        }
        char long_type[SELINUX_PART_MAX + 2];
        memset(long_type, 'a', sizeof long_type - 1);
        long_type[sizeof long_type - 1] = '\0';
        static const char *const quote = "t\"_t";
        const struct {
                const char *label;
                SelinuxOptions o;
                const char *why;
        } bad[] = {
                { "system_u:system_r:container_t:s0", { .type = "a:b" }, "SELinux type \"a:b\" has characters" },
                { "system_u:system_r:container_t:s0", { .user = "u u" }, "SELinux user \"u u\" has characters" },
                { "system_u:system_r:container_t:s0", { .type = quote }, "has characters a label cannot have" },
                { "system_u:system_r:container_t:s0", { .level = "s0\n" }, "SELinux level" },
                { "system_u:system_r:container_t:s0", { .type = long_type }, "longer than 255 bytes" },
                { "container_t", { 0 }, "is not an SELinux label" },
        };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                _cleanup_(crio_error_clear) CrioError err = {};
                char *l = (char *) "untouched";
                ASSERT_EQ_INT(selinux_label_with(bad[i].label, &bad[i].o, &l, &err), -EINVAL);
                ASSERT_CONTAINS(err.msg, bad[i].why);
                ASSERT_EQ_STR(l, "untouched");
        }
}

/* Levels are two distinct categories, lower first, never handed out twice while in use;
 * reserving counts users and releasing the last one frees the level. */
TEST(selinux_levels_unique_and_counted) {
        /* 4 categories: 6 pairs. */
        char *got[6];
        for (int i = 0; i < 6; i++) {
                got[i] = selinux_level_new(4);
                ASSERT_TRUE(got[i] != NULL);
                unsigned a, b;
                ASSERT_EQ_INT(sscanf(got[i], "s0:c%u,c%u", &a, &b), 2);
                ASSERT_TRUE(a < b && b < 4);
                for (int j = 0; j < i; j++)
                        ASSERT_TRUE(strcmp(got[i], got[j]) != 0);
        }
        ASSERT_TRUE(selinux_level_new(4) == NULL); /* all taken */
        char label[64];
        snprintf(label, sizeof label, "system_u:system_r:container_t:%s", got[2]);
        ASSERT_EQ_INT(selinux_level_users(label), 1);
        selinux_level_reserve(label); /* a second pod naming the same level */
        ASSERT_EQ_INT(selinux_level_users(label), 2);
        selinux_level_release(label);
        ASSERT_TRUE(selinux_level_new(4) == NULL);
        selinux_level_release(label);
        ASSERT_EQ_INT(selinux_level_users(label), 0);
        char *again = selinux_level_new(4); /* the one freed */
        ASSERT_EQ_STR(again, got[2]);
        selinux_level_release(NULL);
        selinux_level_release("u:r:t"); /* no level: nothing */
        for (int i = 0; i < 6; i++) {
                snprintf(label, sizeof label, "u:r:t:%s", got[i]);
                selinux_level_release(label);
                free(got[i]);
        }
        free(again);
        snprintf(label, sizeof label, "u:r:t:s0:c0,c1");
        ASSERT_EQ_INT(selinux_level_users(label), 0);
}

/* System directories are never relabelled (go-selinux's list), with or without a slash. */
TEST(selinux_relabel_refuses_system_directories) {
        static const char *const paths[] = { "/", "/usr", "/etc/", "/var/lib", "/home", "/tmp//", "/etc/shadow" };
        for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
                _cleanup_(crio_error_clear) CrioError err = {};
                ASSERT_EQ_INT(selinux_relabel(paths[i], "u:object_r:t:s0", true, &err), -EINVAL);
                ASSERT_CONTAINS(err.msg, "is not allowed");
        }
        _cleanup_free_ char *o = selinux_context_option("system_u:object_r:container_file_t:s0:c1,c2");
        ASSERT_EQ_STR(o, "context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
}

int main(void) {
        return test_main();
}
