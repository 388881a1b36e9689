// The EVE log: JSON lines to a file (append) or stdout, buffered, reopened on request so
// logrotate can move the file away (SIGHUP, as Suricata does). Used by the control plane only.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace postern::output {

class RedisOutput;

class EveFile {
public:
    EveFile() = default;
    ~EveFile();
    EveFile(const EveFile &) = delete;
    EveFile &operator=(const EveFile &) = delete;

    // Opens `path` ("-" is stdout). Returns false and sets error() when it cannot.
    bool open(const std::string &path);
    // Opens the same path again (after logrotate moved the file); on failure keeps writing to the
    // old handle, sets error() and counts it.
    bool reopen();
    void write_line(std::string_view json);
    void flush();
    void close();

    // Every line written is also offered to `mirror` (EVE to Redis), or to nothing (null).
    void set_mirror(RedisOutput *mirror) { mirror_ = mirror; }

    const std::string &path() const { return path_; }
    const std::string &error() const { return error_; }
    uint64_t lines() const { return lines_; }
    uint64_t write_errors() const { return write_errors_; }
    uint64_t reopen_failures() const { return reopen_failures_; }

private:
    std::FILE *file_ = nullptr;
    RedisOutput *mirror_ = nullptr;
    std::string path_;
    std::string error_;
    uint64_t lines_ = 0;
    uint64_t write_errors_ = 0;
    uint64_t reopen_failures_ = 0;
};

}  // namespace postern::output
