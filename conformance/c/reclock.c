/* POSIX record locks between processes: F_SETLK conflicts, F_GETLK
 * reporting the holder, ranges and splits, release on close, F_SETLKW
 * waiting, and OFD locks. */
#include "check.h"
#include <sys/wait.h>

static int lock(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl);
}

int main(void)
{
    BEGIN("reclock");
    make_tmpdir("reclock");
    int fd = open("f", O_CREAT | O_RDWR, 0644);
    write(fd, "0123456789", 10);
    CHECK("wrlck_0_5", lock(fd, F_SETLK, F_WRLCK, 0, 5));
    CHECK("rdlck_5_eof", lock(fd, F_SETLK, F_RDLCK, 5, 0));
    int go[2], back[2];
    pipe(go);
    pipe(back);
    pid_t c = fork();
    if (c == 0) {
        int f2 = open("f", O_RDWR);
        char r[64];
        int n = 0;
        n += sprintf(r + n, "%c", lock(f2, F_SETLK, F_RDLCK, 0, 1) < 0 ? (errno == EAGAIN || errno == EACCES ? 'B' : '?') : 'G');
        n += sprintf(r + n, "%c", lock(f2, F_SETLK, F_RDLCK, 6, 2) == 0 ? 'G' : 'B');
        n += sprintf(r + n, "%c", lock(f2, F_SETLK, F_WRLCK, 7, 1) < 0 ? 'B' : 'G');
        struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 2, .l_len = 1};
        fcntl(f2, F_GETLK, &q);
        n += sprintf(r + n, " getlk=%s,%ld,%ld,%s", q.l_type == F_WRLCK ? "W" : q.l_type == F_RDLCK ? "R" : "U",
                     (long)q.l_start, (long)q.l_len, q.l_pid == getppid() ? "parent" : "other");
        write(back[1], r, n);
        char b;
        read(go[0], &b, 1); /* parent closed another fd of the file */
        n = sprintf(r, " after_close=%c", lock(f2, F_SETLK, F_WRLCK, 0, 10) == 0 ? 'G' : 'B');
        write(back[1], r, n);
        _exit(0);
    }
    char buf[128] = {0};
    read(back[0], buf, sizeof buf - 1);
    SHOW("child_view", "%s", buf);
    CHECK("unlock_middle", lock(fd, F_SETLK, F_UNLCK, 2, 2));
    int other = open("f", O_RDONLY);
    close(other); /* POSIX: drops all our locks on f */
    write(go[1], "x", 1);
    memset(buf, 0, sizeof buf);
    read(back[0], buf, sizeof buf - 1);
    SHOW("child_after", "%s", buf);
    waitpid(c, NULL, 0);
    CHECK("bad_type", lock(fd, F_SETLK, 7, 0, 1));
    CHECK("bad_whence", fcntl(fd, F_SETLK, &(struct flock){.l_type = F_RDLCK, .l_whence = 9}));
    int ro = open("f", O_RDONLY);
    CHECK("wrlck_on_rdonly", lock(ro, F_SETLK, F_WRLCK, 0, 1));
    struct flock o = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
    CHECK("ofd_lock", fcntl(fd, F_OFD_SETLK, &o));
    int fd2 = open("f", O_RDWR);
    CHECK("ofd_conflict_same_process", fcntl(fd2, F_OFD_SETLK, &o));
    close(fd);
    CHECK("ofd_released_on_close", fcntl(fd2, F_OFD_SETLK, &o));
    FINISH();
}
