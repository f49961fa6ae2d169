#include "check.h"
#include <sys/utsname.h>

int main(void)
{
    BEGIN("uname");
    struct utsname u;
    CHECK("uname", uname(&u));
    SHOW("sysname", "%s", u.sysname);
    SHOW("machine", "%s", u.machine);
    BOOL("release_nonempty", u.release[0] != 0);
    BOOL("release_starts_digit", u.release[0] >= '0' && u.release[0] <= '9');
    BOOL("version_nonempty", u.version[0] != 0);
    BOOL("nodename_nonempty", u.nodename[0] != 0);
    int maj = 0, min = 0;
    sscanf(u.release, "%d.%d", &maj, &min);
    BOOL("release_at_least_4", maj >= 4);
    /* /proc agrees with uname */
    char buf[256] = {0};
    int fd = open("/proc/sys/kernel/ostype", O_RDONLY);
    if (fd >= 0) {
        read(fd, buf, sizeof buf - 1);
        close(fd);
    }
    SHOW("proc_ostype", "%s", strtok(buf, "\n") ? buf : "(none)");
    memset(buf, 0, sizeof buf);
    fd = open("/proc/sys/kernel/osrelease", O_RDONLY);
    if (fd >= 0) {
        read(fd, buf, sizeof buf - 1);
        close(fd);
    }
    strtok(buf, "\n");
    BOOL("proc_osrelease_matches", strcmp(buf, u.release) == 0);
    char host[256];
    CHECK("gethostname", gethostname(host, sizeof host));
    BOOL("hostname_matches_nodename", strcmp(host, u.nodename) == 0);
    FINISH();
}
