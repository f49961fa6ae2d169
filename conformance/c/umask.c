#include "check.h"

static void mode_of(const char *name, const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0)
        SHOW(name, "%04o", st.st_mode & 07777);
    else
        SHOW(name, "-1 %s", errname(errno));
}

int main(void)
{
    BEGIN("umask");
    make_tmpdir("umask");
    mode_t old = umask(027);
    (void)old; /* inherited value is environment specific */
    SHOW("umask_returns_previous", "%04o", umask(077));
    SHOW("umask_again", "%04o", umask(0));
    SHOW("umask_zero", "%04o", umask(0777 | 07000));
    SHOW("umask_masked_to_0777", "%04o", umask(022));
    umask(022);
    close(open("f022", O_CREAT | O_WRONLY, 0666));
    mode_of("file_022", "f022");
    mkdir("d022", 0777);
    mode_of("dir_022", "d022");
    umask(077);
    close(open("f077", O_CREAT | O_WRONLY, 0666));
    mode_of("file_077", "f077");
    mkdir("d077", 0777);
    mode_of("dir_077", "d077");
    umask(0);
    close(open("f000", O_CREAT | O_WRONLY, 06777));
    mode_of("file_000_setid", "f000");
    umask(0222);
    int fd = open("ro", O_CREAT | O_RDWR, 0666);
    CHECK("create_readonly_mode_but_rdwr_fd", fd);
    CHECKV("write_to_it", write(fd, "x", 1));
    close(fd);
    mode_of("file_0222", "ro");
    /* chmod ignores umask */
    chmod("ro", 0666);
    mode_of("chmod_ignores_umask", "ro");
    /* symlinks are always 0777 */
    symlink("ro", "lnk");
    mode_of("symlink_mode", "lnk");
    /* /proc/self/status reports the umask */
    umask(0035);
    FILE *st = fopen("/proc/self/status", "r");
    char line[256];
    int found = 0;
    while (st && fgets(line, sizeof line, st))
        if (strncmp(line, "Umask:", 6) == 0) {
            printf("proc_status_%s", line);
            found = 1;
        }
    if (st)
        fclose(st);
    BOOL("proc_umask_found", found);
    FINISH();
}
