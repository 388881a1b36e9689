#include "output/eve_file.hpp"

#include "output/redis_output.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace postern::output {

EveFile::~EveFile() { close(); }

bool EveFile::open(const std::string &path) {
    close();
    path_ = path;
    if (path == "-") {
        file_ = stdout;
        return true;
    }
    const auto parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    file_ = std::fopen(path.c_str(), "a");
    if (!file_) {
        error_ = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
    return true;
}

// logrotate moved the file away: open a new one at the path. When that fails (a full disk, a
// permission changed) the old handle stays, so nothing is lost, and the caller retries.
bool EveFile::reopen() {
    if (path_ == "-") return true;
    std::FILE *fresh = std::fopen(path_.c_str(), "a");
    if (!fresh) {
        error_ = "cannot reopen " + path_ + ": " + std::strerror(errno);
        ++reopen_failures_;
        return false;
    }
    if (file_) {
        std::fflush(file_);
        std::fclose(file_);
    }
    file_ = fresh;
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
    error_.clear();
    return true;
}

void EveFile::write_line(std::string_view json) {
    if (mirror_) mirror_->offer(json);
    if (!file_) return;
    if (std::fwrite(json.data(), 1, json.size(), file_) != json.size() || std::fputc('\n', file_) == EOF)
        ++write_errors_;
    else
        ++lines_;
}

void EveFile::flush() {
    if (file_) std::fflush(file_);
}

void EveFile::close() {
    if (!file_) return;
    std::fflush(file_);
    if (file_ != stdout) std::fclose(file_);
    file_ = nullptr;
}

}  // namespace postern::output
