#include "check.h"

extern char **environ;

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    BEGIN("environ");
    /* The harness runs every program with exactly
     * PATH=/usr/bin:/bin LANG=C CONF_VAR=hello */
    const char *v = getenv("CONF_VAR");
    SHOW("conf_var", "%s", v ? v : "(unset)");
    v = getenv("LANG");
    SHOW("lang", "%s", v ? v : "(unset)");
    v = getenv("PATH");
    SHOW("path", "%s", v ? v : "(unset)");
    int n = 0;
    while (environ[n])
        n++;
    char **copy = calloc((size_t)n + 1, sizeof(char *));
    for (int i = 0; i < n; i++)
        copy[i] = environ[i];
    qsort(copy, (size_t)n, sizeof(char *), cmp);
    SHOW("count", "%d", n);
    for (int i = 0; i < n; i++)
        printf("  env %s\n", copy[i]);
    free(copy);
    CHECK("setenv", setenv("NEW_VAR", "x y", 1));
    SHOW("new_var", "%s", getenv("NEW_VAR"));
    CHECK("setenv_no_overwrite", setenv("NEW_VAR", "z", 0));
    SHOW("new_var_kept", "%s", getenv("NEW_VAR"));
    CHECK("unsetenv", unsetenv("CONF_VAR"));
    BOOL("conf_var_gone", getenv("CONF_VAR") == NULL);
    CHECK("setenv_bad_name", setenv("A=B", "x", 1));
    CHECK("setenv_empty_name", setenv("", "x", 1));
    /* /proc/self/environ still shows the original environment */
    int fd = open("/proc/self/environ", O_RDONLY);
    char buf[4096];
    ssize_t r = read(fd, buf, sizeof buf);
    close(fd);
    int found = 0;
    for (ssize_t off = 0; off < r; off += (ssize_t)strlen(buf + off) + 1)
        if (strcmp(buf + off, "CONF_VAR=hello") == 0)
            found = 1;
    BOOL("proc_environ_has_original", found);
    FINISH();
}
