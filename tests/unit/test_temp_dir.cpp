#include "test_temp_dir.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace postern::testing {

namespace {

class ProcessTempDir {
public:
    ProcessTempDir() {
        const char *base = std::getenv("TMPDIR");
        path_ = std::filesystem::path(base && *base ? base : "/tmp") /
                ("postern-unit-" + std::to_string(::getpid()));
        std::filesystem::create_directories(path_);
    }
    ~ProcessTempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path &path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace

std::string temp_file(const std::string &name) {
    static ProcessTempDir dir;  // removed at exit, after every test
    return (dir.path() / name).string();
}

}  // namespace postern::testing
