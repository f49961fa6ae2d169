#include "check.h"
#include <sys/auxv.h>
#include <elf.h>

extern char **environ;

int main(int argc, char **argv, char **envp)
{
    BEGIN("auxv");
    SHOW("argc", "%d", argc);
    BOOL("argv_null_terminated", argv[argc] == NULL);
    BOOL("argv0_absolute", argv[0][0] == '/');
    BOOL("envp_is_environ", envp == environ);
    /* envp follows argv on the stack */
    BOOL("envp_after_argv", envp == argv + argc + 1);
    int nenv = 0;
    char **e = envp;
    while (*e) {
        nenv++;
        e++;
    }
    SHOW("envc", "%d", nenv);
    /* auxv follows envp's NULL */
    Elf64_auxv_t *av = (Elf64_auxv_t *)(e + 1);
    int n = 0, has_null = 0;
    for (; n < 64; n++)
        if (av[n].a_type == AT_NULL) {
            has_null = 1;
            break;
        }
    BOOL("auxv_terminated", has_null);
    BOOL("auxv_pagesz_matches",
         ({
             unsigned long v = 0;
             for (int i = 0; i < n; i++)
                 if (av[i].a_type == AT_PAGESZ)
                     v = av[i].a_un.a_val;
             v == getauxval(AT_PAGESZ);
         }));
    SHOW("at_pagesz", "%lu", getauxval(AT_PAGESZ));
    BOOL("at_phdr_nonzero", getauxval(AT_PHDR) != 0);
    SHOW("at_phent", "%lu", getauxval(AT_PHENT));
    BOOL("at_phnum_nonzero", getauxval(AT_PHNUM) != 0);
    BOOL("at_entry_nonzero", getauxval(AT_ENTRY) != 0);
    BOOL("at_random_nonzero", getauxval(AT_RANDOM) != 0);
    unsigned char *rnd = (unsigned char *)getauxval(AT_RANDOM);
    int nz = 0;
    for (int i = 0; rnd && i < 16; i++)
        nz |= rnd[i];
    BOOL("at_random_bytes_not_all_zero", nz);
    SHOW("at_secure", "%lu", getauxval(AT_SECURE));
    BOOL("at_uid_eq_getuid", getauxval(AT_UID) == getuid());
    BOOL("at_euid_eq_geteuid", getauxval(AT_EUID) == geteuid());
    BOOL("at_gid_eq_getgid", getauxval(AT_GID) == getgid());
    BOOL("at_egid_eq_getegid", getauxval(AT_EGID) == getegid());
    SHOW("at_clktck", "%lu", getauxval(AT_CLKTCK));
    const char *fn = (const char *)getauxval(AT_EXECFN);
    BOOL("at_execfn_eq_argv0", fn && strcmp(fn, argv[0]) == 0);
    const char *plat = (const char *)getauxval(AT_PLATFORM);
    SHOW("at_platform", "%s", plat ? plat : "(null)");
    BOOL("at_hwcap_present", getauxval(AT_HWCAP) != 0);
    BOOL("at_sysinfo_ehdr_present", getauxval(AT_SYSINFO_EHDR) != 0);
    /* the program headers really are ours: the PT_PHDR/PT_LOAD exist */
    Elf64_Phdr *ph = (Elf64_Phdr *)getauxval(AT_PHDR);
    int loads = 0;
    for (unsigned long i = 0; ph && i < getauxval(AT_PHNUM); i++)
        if (ph[i].p_type == PT_LOAD)
            loads++;
    BOOL("phdr_has_load", loads > 0);
    errno = 0;
    unsigned long missing = getauxval(0x7777);
    SHOW("missing_type", "%lu %s", missing, errname(errno));
    /* stack: argv strings are on the stack above auxv */
    BOOL("argv_above_auxv", (void *)argv[0] > (void *)av);
    /* /proc/self/auxv matches the in-memory copy */
    int fd = open("/proc/self/auxv", O_RDONLY);
    static Elf64_auxv_t pav[64];
    ssize_t r = read(fd, pav, sizeof pav);
    close(fd);
    BOOL("proc_auxv_matches", r == (ssize_t)((n + 1) * sizeof(Elf64_auxv_t)) &&
                                  memcmp(pav, av, (size_t)r) == 0);
    FINISH();
}
