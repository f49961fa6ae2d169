#include "check.h"
#include <utime.h>
#include <sys/time.h>
#include <time.h>

static void times_of(const char *name, const char *path, int flags)
{
    struct stat st;
    if (fstatat(AT_FDCWD, path, &st, flags) != 0) {
        SHOW(name, "-1 %s", errname(errno));
        return;
    }
    SHOW(name, "atime=%ld.%09ld mtime=%ld.%09ld", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
         (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

int main(void)
{
    BEGIN("utime");
    make_tmpdir("utime");
    write_file("f", "x");
    symlink("f", "lf");
    struct timespec ts[2] = {{1000000000, 123456789}, {1234567890, 5}};
    CHECK("utimensat", utimensat(AT_FDCWD, "f", ts, 0));
    times_of("after_utimensat", "f", 0);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {1500000000, 0}};
    CHECK("utimensat_omit_atime", utimensat(AT_FDCWD, "f", omit, 0));
    times_of("after_omit", "f", 0);
    struct timespec lts[2] = {{111, 0}, {222, 0}};
    CHECK("utimensat_nofollow", utimensat(AT_FDCWD, "lf", lts, AT_SYMLINK_NOFOLLOW));
    times_of("symlink_times", "lf", AT_SYMLINK_NOFOLLOW);
    times_of("target_unchanged", "f", 0);
    int fd = open("f", O_RDWR);
    struct timespec fts[2] = {{333, 0}, {444, 0}};
    CHECK("futimens", futimens(fd, fts));
    times_of("after_futimens", "f", 0);
    struct timeval tv[2] = {{555, 1}, {666, 2}};
    CHECK("utimes", utimes("f", tv));
    times_of("after_utimes", "f", 0);
    struct utimbuf ub = {777, 888};
    CHECK("utime", utime("f", &ub));
    times_of("after_utime", "f", 0);
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    CHECK("bad_nsec", utimensat(AT_FDCWD, "f", bad, 0));
    CHECK("bad_flags", utimensat(AT_FDCWD, "f", ts, 0x4000));
    CHECK("missing", utimensat(AT_FDCWD, "missing", ts, 0));
    CHECK("badfd", futimens(-1, ts));
    /* now: times become recent */
    CHECK("utimensat_now", utimensat(AT_FDCWD, "f", NULL, 0));
    struct stat st;
    stat("f", &st);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    BOOL("now_is_recent", now.tv_sec - st.st_mtim.tv_sec <= 5 && st.st_mtim.tv_sec - now.tv_sec <= 1);
    /* writing updates mtime */
    futimens(fd, fts);
    write(fd, "y", 1);
    fstat(fd, &st);
    BOOL("write_updates_mtime", st.st_mtim.tv_sec != 444);
    close(fd);
    FINISH();
}
