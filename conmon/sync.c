/* The sync pipe report: see sync.h. */
#include "sync.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t len) {
        unsigned char c = s[0];
        size_t n;
        unsigned cp;
        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                n = 2, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
                n = 3, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
                n = 4, cp = c & 0x07;
        else
                return 0;
        if (len < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

static void put(char *buf, size_t size, size_t *pos, const char *s, size_t n) {
        for (size_t i = 0; i < n; i++, (*pos)++)
                if (*pos + 1 < size)
                        buf[*pos] = s[i];
}

size_t json_escape(char *buf, size_t size, const char *text, size_t len) {
        const unsigned char *s = (const unsigned char *) text;
        size_t pos = 0;
        for (size_t i = 0; i < len;) {
                unsigned char c = s[i];
                char esc[8];
                if (c == '"' || c == '\\') {
                        esc[0] = '\\', esc[1] = (char) c;
                        put(buf, size, &pos, esc, 2);
                } else if (c == '\n' || c == '\t' || c == '\r' || c == '\b' || c == '\f') {
                        esc[0] = '\\';
                        esc[1] = c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : c == '\b' ? 'b' : 'f';
                        put(buf, size, &pos, esc, 2);
                } else if (c < 0x20 || c == 0x7f) {
                        snprintf(esc, sizeof esc, "\\u%04x", c);
                        put(buf, size, &pos, esc, 6);
                } else {
                        size_t n = utf8_len(s + i, len - i);
                        if (n == 0) {
                                put(buf, size, &pos, "\\ufffd", 6);
                                i++;
                                continue;
                        }
                        put(buf, size, &pos, text + i, n);
                        i += n;
                        continue;
                }
                i++;
        }
        if (size > 0)
                buf[pos < size ? pos : size - 1] = '\0';
        return pos;
}

/* Trims surrounding whitespace and cuts at SYNC_MESSAGE_MAX on a character boundary. */
static void trim(const char **s, size_t *len) {
        const char *p = *s;
        size_t n = *len;
        while (n > 0 && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
                p++, n--;
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\n' || p[n - 1] == '\t' || p[n - 1] == '\r'))
                n--;
        if (n > SYNC_MESSAGE_MAX) {
                n = SYNC_MESSAGE_MAX;
                while (n > 0 && ((unsigned char) p[n] & 0xc0) == 0x80)
                        n--;
        }
        *s = p;
        *len = n;
}

int sync_format(pid_t pid, const char *message, char **ret, CrioError *err) {
        char *line = NULL;
        if (!message) {
                if (asprintf(&line, "{\"pid\": %d}\n", (int) pid) < 0)
                        return crio_error_set(err, ENOMEM, "formatting the sync report: out of memory");
                *ret = line;
                return 0;
        }
        const char *m = message;
        size_t len = strlen(message);
        trim(&m, &len);
        size_t need = json_escape(NULL, 0, m, len) + 1;
        _cleanup_free_ char *esc = malloc(need);
        if (!esc)
                return crio_error_set(err, ENOMEM, "formatting the sync report: out of memory");
        json_escape(esc, need, m, len);
        if (asprintf(&line, "{\"pid\": %d, \"message\": \"%s\"}\n", (int) pid, esc) < 0)
                return crio_error_set(err, ENOMEM, "formatting the sync report: out of memory");
        *ret = line;
        return 0;
}

int sync_report(int fd, pid_t pid, const char *message, CrioError *err) {
        _cleanup_free_ char *line = NULL;
        int r = sync_format(pid, message, &line, err);
        if (r < 0)
                return r;
        size_t left = strlen(line);
        const char *p = line;
        while (left > 0) {
                ssize_t n = write(fd, p, left);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return crio_error_set_errno(err, errno, "writing the sync pipe");
                }
                p += n;
                left -= (size_t) n;
        }
        return 0;
}
