/* splice(2), tee(2), vmsplice(2), sendfile(2), copy_file_range(2):
 * pipe to pipe (moving), tee (duplicating), file to pipe and pipe to file
 * with and without offset pointers, SPLICE_F_NONBLOCK and O_NONBLOCK,
 * EOF, blocking that a signal interrupts or data ends, and the errors
 * Linux gives for bad flags, wrong ends, offsets on pipes and non-pipes. */
#include "check.h"
#include <signal.h>
#include <sys/sendfile.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>

static int sigpipes;
static int alarms;

static void on_sigpipe(int s)
{
    (void)s;
    sigpipes++;
}

static void on_alarm(int s)
{
    (void)s;
    alarms++;
}

/* Fires SIGALRM once after `ms` milliseconds. */
static void alarm_ms(long ms)
{
    struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

/* Reads what the pipe holds now (nonblocking) and prints it. */
static void show_pipe(const char *name, int fd)
{
    char buf[256];
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    fcntl(fd, F_SETFL, fl);
    if (n < 0) {
        SHOW(name, "-1 %s", errname(errno));
        return;
    }
    buf[n] = 0;
    SHOW(name, "\"%s\"", buf);
}

static void show_file(const char *name, const char *path)
{
    char buf[256];
    int fd = open(path, O_RDONLY);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0)
        n = 0;
    for (ssize_t i = 0; i < n; i++)
        if (buf[i] == 0)
            buf[i] = '.';
    buf[n] = 0;
    SHOW(name, "\"%s\"", buf);
}

static long cur(int fd)
{
    return (long)lseek(fd, 0, SEEK_CUR);
}

static void pipe_to_pipe(void)
{
    int a[2], b[2];
    pipe(a);
    pipe(b);
    write(a[1], "hello world", 11);
    CHECKV("pp_splice_5", splice(a[0], NULL, b[1], NULL, 5, 0));
    show_pipe("pp_out", b[0]);
    CHECKV("pp_splice_more_than_held", splice(a[0], NULL, b[1], NULL, 100, 0));
    show_pipe("pp_out2", b[0]);
    show_pipe("pp_in_left", a[0]);
    CHECKV("pp_empty_nonblock", splice(a[0], NULL, b[1], NULL, 10, SPLICE_F_NONBLOCK));
    CHECKV("pp_len0", splice(a[0], NULL, b[1], NULL, 0, 0));
    CHECKV("pp_len0_badfd", splice(-1, NULL, -1, NULL, 0, 0));
    CHECKV("pp_badflags", splice(a[0], NULL, b[1], NULL, 1, 0x100));
    CHECKV("pp_len0_badflags", splice(a[0], NULL, b[1], NULL, 0, 0x100));
    CHECKV("pp_flags_known", splice(a[0], NULL, b[1], NULL, 1,
                                    SPLICE_F_NONBLOCK | SPLICE_F_MOVE | SPLICE_F_MORE |
                                        SPLICE_F_GIFT));
    CHECKV("pp_same_pipe", splice(a[0], NULL, a[1], NULL, 1, 0));
    CHECKV("pp_from_write_end", splice(a[1], NULL, b[1], NULL, 1, 0));
    CHECKV("pp_to_read_end", splice(a[0], NULL, b[0], NULL, 1, 0));
    CHECKV("pp_badfd_in", splice(99, NULL, b[1], NULL, 1, 0));
    CHECKV("pp_badfd_out", splice(a[0], NULL, 99, NULL, 1, 0));
    loff_t off = 0;
    write(a[1], "x", 1);
    CHECKV("pp_off_in", splice(a[0], &off, b[1], NULL, 1, 0));
    CHECKV("pp_off_out", splice(a[0], NULL, b[1], &off, 1, 0));
    CHECKV("pp_off_in_bad_ptr", splice(a[0], BADPTR, b[1], NULL, 1, 0));
    show_pipe("pp_x_still_there", a[0]);

    /* O_NONBLOCK on either end makes the pipe side nonblocking. */
    int c[2];
    pipe2(c, O_NONBLOCK);
    CHECKV("pp_o_nonblock_in", splice(c[0], NULL, b[1], NULL, 10, 0));

    /* EOF: no writers left. */
    close(a[1]);
    CHECKV("pp_eof", splice(a[0], NULL, b[1], NULL, 10, 0));

    /* Full output pipe. */
    fcntl(b[1], F_SETPIPE_SZ, 4096);
    char big[4096];
    memset(big, 'f', sizeof big);
    CHECKV("pp_fill", write(b[1], big, sizeof big));
    write(c[1], "zz", 2);
    CHECKV("pp_full_nonblock", splice(c[0], NULL, b[1], NULL, 2, SPLICE_F_NONBLOCK));
    CHECKV("pp_full_o_nonblock", splice(c[0], NULL, b[1], NULL, 2, 0));
    alarms = 0;
    int d[2];
    pipe(d);
    write(d[1], "zz", 2);
    alarm_ms(100);
    CHECKV("pp_full_blocking_eintr", splice(d[0], NULL, b[1], NULL, 2, 0));
    SHOW("pp_alarms", "%d", alarms);

    /* No reader on the output: EPIPE and SIGPIPE. */
    close(b[0]);
    sigpipes = 0;
    CHECKV("pp_no_reader", splice(d[0], NULL, b[1], NULL, 2, 0));
    SHOW("pp_sigpipes", "%d", sigpipes);
    show_pipe("pp_data_kept_on_epipe", d[0]);

    /* Blocking on an empty input until a signal. */
    int e[2];
    pipe(e);
    alarm_ms(100);
    CHECKV("pp_empty_blocking_eintr", splice(e[0], NULL, d[1], NULL, 2, 0));
    SHOW("pp_alarms2", "%d", alarms);

    /* Blocking on an empty input until another process writes. */
    pid_t pid = fork();
    if (pid == 0) {
        usleep(50000);
        write(e[1], "late", 4);
        _exit(0);
    }
    CHECKV("pp_blocks_until_data", splice(e[0], NULL, d[1], NULL, 10, 0));
    waitpid(pid, NULL, 0);
    show_pipe("pp_late_data", d[0]);

    /* With SA_RESTART the blocked splice goes on after the handler. */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, &old);
    alarms = 0;
    pid = fork();
    if (pid == 0) {
        usleep(200000);
        write(e[1], "after", 5);
        _exit(0);
    }
    alarm_ms(50);
    CHECKV("pp_restarted_after_handler", splice(e[0], NULL, d[1], NULL, 10, 0));
    waitpid(pid, NULL, 0);
    SHOW("pp_restart_alarms", "%d", alarms);
    show_pipe("pp_restart_data", d[0]);
    sigaction(SIGALRM, &old, NULL);

    close(a[0]);
    close(b[1]);
    close(c[0]);
    close(c[1]);
    close(d[0]);
    close(d[1]);
    close(e[0]);
    close(e[1]);
}

/* Bytes that went round the pipe's ring come out in order. */
static void wrapped_ring(void)
{
    int p[2];
    pipe(p);
    fcntl(p[1], F_SETPIPE_SZ, 16384);
    char buf[3000];
    memset(buf, 'a', sizeof buf);
    write(p[1], buf, 3000);
    read(p[0], buf, 2000);
    memset(buf, 'b', sizeof buf);
    write(p[1], buf, 2000);
    memset(buf, 'c', sizeof buf);
    write(p[1], buf, 1000);
    int fd = open("ring", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECKV("ring_splice", splice(p[0], NULL, fd, NULL, 10000, 0));
    char back[5000];
    CHECKV("ring_read_back", pread(fd, back, sizeof back, 0));
    int runs = 1;
    for (int i = 1; i < 4000; i++)
        if (back[i] != back[i - 1])
            runs++;
    SHOW("ring_order", "%c%c%c runs=%d", back[0], back[1000], back[3000], runs);
    close(fd);
    close(p[0]);
    close(p[1]);
}

static void tee_pipes(void)
{
    int a[2], b[2];
    pipe(a);
    pipe(b);
    write(a[1], "abcdef", 6);
    CHECKV("tee_3", tee(a[0], b[1], 3, 0));
    show_pipe("tee_out", b[0]);
    CHECKV("tee_all", tee(a[0], b[1], 100, 0));
    show_pipe("tee_out2", b[0]);
    show_pipe("tee_in_untouched", a[0]);
    CHECKV("tee_empty_nonblock", tee(a[0], b[1], 10, SPLICE_F_NONBLOCK));
    CHECKV("tee_len0", tee(a[0], b[1], 0, 0));
    CHECKV("tee_badflags", tee(a[0], b[1], 1, 0x100));
    CHECKV("tee_same_pipe", tee(a[0], a[1], 1, 0));
    CHECKV("tee_from_write_end", tee(a[1], b[1], 1, 0));
    CHECKV("tee_to_read_end", tee(a[0], b[0], 1, 0));
    CHECKV("tee_badfd", tee(99, b[1], 1, 0));
    int fd = open("plain", O_RDWR | O_CREAT, 0644);
    write(fd, "data", 4);
    lseek(fd, 0, SEEK_SET);
    CHECKV("tee_file_in", tee(fd, b[1], 1, 0));
    CHECKV("tee_file_out", tee(a[0], fd, 1, 0));
    close(fd);
    alarms = 0;
    alarm_ms(100);
    CHECKV("tee_empty_blocking_eintr", tee(a[0], b[1], 10, 0));
    SHOW("tee_alarms", "%d", alarms);
    close(a[1]);
    CHECKV("tee_eof", tee(a[0], b[1], 10, 0));
    close(b[0]);
    int c[2];
    pipe(c);
    write(c[1], "q", 1);
    sigpipes = 0;
    CHECKV("tee_no_reader", tee(c[0], b[1], 1, 0));
    SHOW("tee_sigpipes", "%d", sigpipes);
    close(a[0]);
    close(b[1]);
    close(c[0]);
    close(c[1]);
}

static void file_pipe(void)
{
    int p[2];
    pipe(p);
    CHECK("fp_write_file", write_file("src", "0123456789"));
    int fd = open("src", O_RDONLY);
    CHECKV("fp_splice_4", splice(fd, NULL, p[1], NULL, 4, 0));
    SHOW("fp_pos_after", "%ld", cur(fd));
    show_pipe("fp_out", p[0]);
    loff_t off = 6;
    CHECKV("fp_off_in", splice(fd, &off, p[1], NULL, 3, 0));
    SHOW("fp_off_updated", "%lld", (long long)off);
    SHOW("fp_pos_untouched", "%ld", cur(fd));
    show_pipe("fp_out2", p[0]);
    off = 10;
    CHECKV("fp_at_eof", splice(fd, &off, p[1], NULL, 3, 0));
    SHOW("fp_off_at_eof", "%lld", (long long)off);
    off = 100;
    CHECKV("fp_past_eof", splice(fd, &off, p[1], NULL, 3, 0));
    off = -1;
    CHECKV("fp_negative_off", splice(fd, &off, p[1], NULL, 3, 0));
    CHECKV("fp_off_bad_ptr", splice(fd, BADPTR, p[1], NULL, 3, 0));
    off = 0;
    CHECKV("fp_off_out_on_pipe", splice(fd, NULL, p[1], &off, 3, 0));
    CHECKV("fp_into_read_end", splice(fd, NULL, p[0], NULL, 3, 0));
    int wo = open("src", O_WRONLY);
    CHECKV("fp_from_wronly", splice(wo, NULL, p[1], NULL, 3, 0));
    close(wo);
    int g = open("src2", O_RDWR | O_CREAT, 0644);
    CHECKV("fp_neither_pipe", splice(fd, NULL, g, NULL, 3, 0));
    close(g);
    CHECKV("fp_rest", splice(fd, NULL, p[1], NULL, 100, 0));
    SHOW("fp_pos_end", "%ld", cur(fd));
    show_pipe("fp_out3", p[0]);

    /* A large file fills the pipe and stops there. */
    int big = open("big", O_RDWR | O_CREAT, 0644);
    char chunk[10000];
    memset(chunk, 'b', sizeof chunk);
    for (int i = 0; i < 10; i++)
        write(big, chunk, sizeof chunk);
    lseek(big, 0, SEEK_SET);
    CHECKV("fp_big_fills_pipe", splice(big, NULL, p[1], NULL, 100000, 0));
    SHOW("fp_big_pos", "%ld", cur(big));
    CHECKV("fp_full_nonblock", splice(big, NULL, p[1], NULL, 10, SPLICE_F_NONBLOCK));
    alarms = 0;
    alarm_ms(100);
    CHECKV("fp_full_blocking_eintr", splice(big, NULL, p[1], NULL, 10, 0));
    SHOW("fp_alarms", "%d", alarms);
    SHOW("fp_big_pos_after_eintr", "%ld", cur(big));

    /* sendfile: file to pipe and file to file. */
    char drain[65536];
    CHECKV("sf_drain", read(p[0], drain, sizeof drain));
    lseek(fd, 2, SEEK_SET);
    CHECKV("sf_to_pipe", sendfile(p[1], fd, NULL, 3));
    SHOW("sf_pos", "%ld", cur(fd));
    show_pipe("sf_out", p[0]);
    off = 7;
    CHECKV("sf_off", sendfile(p[1], fd, &off, 100));
    SHOW("sf_off_updated", "%lld", (long long)off);
    SHOW("sf_pos_untouched", "%ld", cur(fd));
    show_pipe("sf_out2", p[0]);
    CHECKV("sf_at_eof", sendfile(p[1], fd, &off, 100));
    off = -1;
    CHECKV("sf_negative_off", sendfile(p[1], fd, &off, 1));
    CHECKV("sf_bad_off_ptr", sendfile(p[1], fd, BADPTR, 1));
    int out = open("dst", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(out, "__", 2);
    off = 0;
    CHECKV("sf_file_to_file", sendfile(out, fd, &off, 5));
    SHOW("sf_out_pos", "%ld", cur(out));
    show_file("sf_dst", "dst");
    CHECKV("sf_len0", sendfile(out, fd, NULL, 0));
    int ro = open("dst", O_RDONLY);
    CHECKV("sf_to_rdonly", sendfile(ro, fd, NULL, 1));
    int wonly = open("src", O_WRONLY);
    CHECKV("sf_from_wronly", sendfile(out, wonly, NULL, 1));
    close(wonly);
    int app = open("dst", O_WRONLY | O_APPEND);
    CHECKV("sf_to_append", sendfile(app, fd, NULL, 1));
    close(app);
    CHECKV("sf_badfd", sendfile(out, 99, NULL, 1));
    CHECKV("sf_from_pipe_off", sendfile(out, p[0], &off, 1));
    write(p[1], "pp", 2);
    CHECKV("sf_from_pipe", sendfile(out, p[0], NULL, 2));
    show_pipe("sf_pipe_left", p[0]);
    close(ro);
    close(out);
    close(big);
    close(fd);
    close(p[0]);
    sigpipes = 0;
    fd = open("src", O_RDONLY);
    CHECKV("fp_no_reader", splice(fd, NULL, p[1], NULL, 3, 0));
    SHOW("fp_sigpipes", "%d", sigpipes);
    SHOW("fp_pos_after_epipe", "%ld", cur(fd));
    CHECKV("sf_no_reader", sendfile(p[1], fd, NULL, 3));
    SHOW("sf_sigpipes", "%d", sigpipes);
    close(fd);
    close(p[1]);
}

static void pipe_file(void)
{
    int p[2];
    pipe(p);
    int fd = open("out", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(p[1], "ABCDEFGH", 8);
    CHECKV("pf_splice_3", splice(p[0], NULL, fd, NULL, 3, 0));
    SHOW("pf_pos", "%ld", cur(fd));
    loff_t off = 10;
    CHECKV("pf_off_out", splice(p[0], NULL, fd, &off, 2, 0));
    SHOW("pf_off_updated", "%lld", (long long)off);
    SHOW("pf_pos_untouched", "%ld", cur(fd));
    show_file("pf_content", "out");
    off = 0;
    CHECKV("pf_off_in_on_pipe", splice(p[0], &off, fd, NULL, 1, 0));
    off = -5;
    CHECKV("pf_negative_off", splice(p[0], NULL, fd, &off, 1, 0));
    CHECKV("pf_off_bad_ptr", splice(p[0], NULL, fd, BADPTR, 1, 0));
    int ro = open("out", O_RDONLY);
    CHECKV("pf_to_rdonly", splice(p[0], NULL, ro, NULL, 1, 0));
    close(ro);
    int app = open("out", O_WRONLY | O_APPEND);
    CHECKV("pf_to_append", splice(p[0], NULL, app, NULL, 1, 0));
    close(app);
    CHECKV("pf_rest", splice(p[0], NULL, fd, NULL, 100, 0));
    SHOW("pf_pos2", "%ld", cur(fd));
    show_file("pf_content2", "out");
    CHECKV("pf_empty_nonblock", splice(p[0], NULL, fd, NULL, 10, SPLICE_F_NONBLOCK));
    alarms = 0;
    alarm_ms(100);
    CHECKV("pf_empty_blocking_eintr", splice(p[0], NULL, fd, NULL, 10, 0));
    SHOW("pf_alarms", "%d", alarms);
    int dn = open("/dev/null", O_WRONLY);
    write(p[1], "gone", 4);
    CHECKV("pf_to_dev_null", splice(p[0], NULL, dn, NULL, 10, 0));
    close(dn);
    close(p[1]);
    CHECKV("pf_eof", splice(p[0], NULL, fd, NULL, 10, 0));
    close(p[0]);
    close(fd);
}

static void vmsplice_calls(void)
{
    int p[2];
    pipe(p);
    char a[] = "hello ", b[] = "vmsplice";
    struct iovec iov[2] = {{a, 6}, {b, 8}};
    CHECKV("vm_to_pipe", vmsplice(p[1], iov, 2, 0));
    char r1[5] = {0}, r2[20] = {0};
    struct iovec riov[2] = {{r1, 4}, {r2, sizeof r2 - 1}};
    CHECKV("vm_from_pipe", vmsplice(p[0], riov, 2, 0));
    SHOW("vm_got", "\"%s\" \"%s\"", r1, r2);
    CHECKV("vm_empty_nonblock", vmsplice(p[0], riov, 2, SPLICE_F_NONBLOCK));
    struct iovec holes[3] = {{a, 6}, {BADPTR, 0}, {b, 8}};
    CHECKV("vm_to_pipe_empty_segment", vmsplice(p[1], holes, 3, 0));
    struct iovec rholes[3] = {{r1, 4}, {BADPTR, 0}, {r2, sizeof r2 - 1}};
    memset(r2, 0, sizeof r2);
    CHECKV("vm_from_pipe_empty_segment", vmsplice(p[0], rholes, 3, 0));
    SHOW("vm_got2", "\"%s\" \"%s\"", r1, r2);
    CHECKV("vm_nsegs0", vmsplice(p[1], iov, 0, 0));
    CHECKV("vm_badflags", vmsplice(p[1], iov, 2, 0x100));
    CHECKV("vm_too_many_segs", vmsplice(p[1], iov, 1025, 0));
    CHECKV("vm_bad_iov", vmsplice(p[1], BADPTR, 1, 0));
    struct iovec bad = {BADPTR, 4};
    CHECKV("vm_bad_base", vmsplice(p[1], &bad, 1, 0));
    CHECKV("vm_badfd", vmsplice(99, iov, 1, 0));
    int fd = open("vfile", O_RDWR | O_CREAT, 0644);
    CHECKV("vm_file", vmsplice(fd, iov, 1, 0));
    close(fd);
    fd = open("vfile", O_PATH);
    CHECKV("vm_opath", vmsplice(fd, iov, 1, 0));
    close(fd);
    alarms = 0;
    alarm_ms(100);
    CHECKV("vm_empty_blocking_eintr", vmsplice(p[0], riov, 1, 0));
    SHOW("vm_alarms", "%d", alarms);
    fcntl(p[1], F_SETPIPE_SZ, 4096);
    static char fill[8192] __attribute__((aligned(4096)));
    memset(fill, 'v', sizeof fill);
    struct iovec fiov = {fill, 5000};
    CHECKV("vm_partial_fill", vmsplice(p[1], &fiov, 1, 0));
    CHECKV("vm_full_nonblock", vmsplice(p[1], &fiov, 1, SPLICE_F_NONBLOCK));
    alarm_ms(100);
    CHECKV("vm_full_blocking_eintr", vmsplice(p[1], &fiov, 1, 0));
    static char back[5000];
    struct iovec biov = {back, sizeof back};
    CHECKV("vm_drain", vmsplice(p[0], &biov, 1, 0));
    BOOL("vm_drain_all_v", back[0] == 'v' && back[4095] == 'v');
    close(p[1]);
    CHECKV("vm_eof", vmsplice(p[0], &biov, 1, 0));
    close(p[0]);
}

static void copy_range(void)
{
    write_file("cin", "abcdefghij");
    int in = open("cin", O_RDONLY);
    int out = open("cout", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECKV("cfr_cursor", copy_file_range(in, NULL, out, NULL, 4, 0));
    SHOW("cfr_in_pos", "%ld", cur(in));
    SHOW("cfr_out_pos", "%ld", cur(out));
    loff_t oi = 6, oo = 8;
    CHECKV("cfr_offsets", copy_file_range(in, &oi, out, &oo, 3, 0));
    SHOW("cfr_offs", "%lld %lld", (long long)oi, (long long)oo);
    SHOW("cfr_in_pos_untouched", "%ld", cur(in));
    SHOW("cfr_out_pos_untouched", "%ld", cur(out));
    show_file("cfr_content", "cout");
    oi = 8;
    CHECKV("cfr_short_at_eof", copy_file_range(in, &oi, out, NULL, 100, 0));
    SHOW("cfr_short_off", "%lld", (long long)oi);
    CHECKV("cfr_at_eof", copy_file_range(in, &oi, out, NULL, 100, 0));
    CHECKV("cfr_flags", copy_file_range(in, NULL, out, NULL, 1, 1));
    CHECKV("cfr_len0", copy_file_range(in, NULL, out, NULL, 0, 0));
    oi = -1;
    CHECKV("cfr_negative_off", copy_file_range(in, &oi, out, NULL, 1, 0));
    CHECKV("cfr_bad_off_ptr", copy_file_range(in, BADPTR, out, NULL, 1, 0));
    CHECKV("cfr_badfd", copy_file_range(99, NULL, out, NULL, 1, 0));
    int ro = open("cout", O_RDONLY);
    CHECKV("cfr_to_rdonly", copy_file_range(in, NULL, ro, NULL, 1, 0));
    close(ro);
    int wo = open("cin", O_WRONLY);
    CHECKV("cfr_from_wronly", copy_file_range(wo, NULL, out, NULL, 1, 0));
    close(wo);
    int app = open("cout", O_WRONLY | O_APPEND);
    CHECKV("cfr_to_append", copy_file_range(in, NULL, app, NULL, 1, 0));
    close(app);
    int p[2];
    pipe(p);
    write(p[1], "zz", 2);
    CHECKV("cfr_from_pipe", copy_file_range(p[0], NULL, out, NULL, 1, 0));
    CHECKV("cfr_to_pipe", copy_file_range(in, NULL, p[1], NULL, 1, 0));
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    CHECKV("cfr_from_dir", copy_file_range(dir, NULL, out, NULL, 1, 0));
    close(dir);
    oi = 0;
    oo = 2;
    CHECKV("cfr_same_overlap", copy_file_range(out, &oi, out, &oo, 4, 0));
    oi = 0;
    oo = 20;
    CHECKV("cfr_same_apart", copy_file_range(out, &oi, out, &oo, 4, 0));
    show_file("cfr_content2", "cout");
    close(p[0]);
    close(p[1]);
    close(in);
    close(out);
}

int main(void)
{
    BEGIN("splice");
    make_tmpdir("splice");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigpipe;
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    pipe_to_pipe();
    tee_pipes();
    wrapped_ring();
    file_pipe();
    pipe_file();
    vmsplice_calls();
    copy_range();
    remove_tmpdir();
    FINISH();
}
