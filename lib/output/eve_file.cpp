#include "output/eve_file.hpp"

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

bool EveFile::reopen() { return open(path_); }

void EveFile::write_line(std::string_view json) {
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
