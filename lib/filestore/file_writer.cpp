#include "filestore/file_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <thread>

#include "filestore/store_records.hpp"
#include "util/hex.hpp"

namespace postern::filestore {

namespace fs = std::filesystem;

namespace {

template <class T>
bool read_body(std::string_view body, T &out) {
    if (body.size() < sizeof out) return false;
    std::memcpy(&out, body.data(), sizeof out);
    return true;
}

}  // namespace

FileWriter::~FileWriter() {
    for (auto &[key, f] : open_) drop(f);
}

bool FileWriter::prepare(std::string &error) {
    std::error_code ec;
    const fs::path dir(config_.dir), tmp = dir / "tmp";
    fs::create_directories(tmp, ec);
    if (ec) return error = "output.files.store.dir: cannot create " + tmp.string() + ": " + ec.message(), false;
    if (::access(tmp.c_str(), W_OK) != 0)
        return error = "output.files.store.dir: " + tmp.string() + " is not writable: " + std::strerror(errno), false;
    uint64_t total = 0;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->path().parent_path() == tmp) {  // left by a run that did not end: never kept
            fs::remove(it->path(), ec);
            continue;
        }
        if (it->is_regular_file(ec)) total += it->file_size(ec);
    }
    stored_bytes_.store(total, std::memory_order_relaxed);
    return true;
}

bool FileWriter::finished() const {
    for (const Channel &c : channels_)
        if (!c.done) return false;
    return true;
}

size_t FileWriter::drain() {
    size_t n = 0;
    for (size_t i = 0; i < channels_.size(); ++i)
        n += channels_[i].channel->drain(
            [&](pipeline::RecordKind kind, uint8_t, std::string_view body) { on_record(i, kind, body); }, 4096);
    return n;
}

void FileWriter::run() {
    while (!finished())
        if (drain() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    for (auto &[key, f] : open_) drop(f), ++counters_.abandoned;
    open_.clear();
    ended_.store(true, std::memory_order_release);
}

void FileWriter::on_record(size_t channel, pipeline::RecordKind kind, std::string_view body) {
    const uint64_t key = static_cast<uint64_t>(channel) << 48;
    switch (kind) {
    case pipeline::RecordKind::FileOpen:
        if (OpenRecord r; read_body(body, r)) open_file(key | r.id, r.message != 0);
        break;
    case pipeline::RecordKind::FileData:
        if (DataHeader h; read_body(body, h)) append(key | h.id, body.substr(sizeof h));
        break;
    case pipeline::RecordKind::FileClose:
        if (CloseRecord r; read_body(body, r)) close_file(key | r.id, r.keep != 0, r.sha256);
        break;
    case pipeline::RecordKind::Done: channels_[channel].done = true; break;
    default: break;
    }
}

void FileWriter::open_file(uint64_t key, bool message) {
    // Bounded like the feeds: a file whose close was lost (full channel) is given up here.
    if (open_.size() >= size_t{config_.max_open_files} * (channels_.empty() ? 1 : channels_.size())) {
        auto oldest = open_.begin();
        for (auto it = open_.begin(); it != open_.end(); ++it)
            if (it->second.seq < oldest->second.seq) oldest = it;
        drop(oldest->second);
        open_.erase(oldest);
        ++counters_.abandoned;
    }
    OpenFile f;
    f.seq = seq_++;
    f.message = message;
    f.tmp = (fs::path(config_.dir) / "tmp" / (std::to_string(key >> 48) + "-" + std::to_string(key & 0xFFFFFFFFFFFFull))).string();
    f.fd = ::open(f.tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (f.fd < 0) f.failed = true, error("cannot create " + f.tmp + ": " + std::strerror(errno));
    drop(open_[key]);  // an id is never reused; this only guards against a malformed stream
    open_[key] = std::move(f);
}

void FileWriter::append(uint64_t key, std::string_view bytes) {
    const auto it = open_.find(key);
    if (it == open_.end() || it->second.failed) return;
    OpenFile &f = it->second;
    while (!bytes.empty()) {
        const ssize_t w = ::write(f.fd, bytes.data(), bytes.size());
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            f.failed = true;
            error("cannot write " + f.tmp + ": " + std::strerror(errno));
            return;
        }
        bytes.remove_prefix(static_cast<size_t>(w));
        f.size += static_cast<uint64_t>(w);
        counters_.bytes_written.fetch_add(static_cast<uint64_t>(w), std::memory_order_relaxed);
    }
}

void FileWriter::close_file(uint64_t key, bool keep, const uint8_t *sha256) {
    const auto it = open_.find(key);
    if (it == open_.end()) return;
    OpenFile f = std::move(it->second);
    open_.erase(it);
    if (!keep || f.failed) {
        if (!keep) ++counters_.discarded;
        return drop(f);
    }
    ::close(f.fd);
    f.fd = -1;
    std::string name(64, '0');
    util::hex_encode(sha256, 32, name.data());
    const fs::path target = fs::path(config_.dir) / name.substr(0, 2) / (f.message ? name + ".eml" : name);
    std::error_code ec;
    if (fs::exists(target, ec)) {
        ++counters_.duplicates;
        return drop(f);
    }
    if (stored_bytes_.load(std::memory_order_relaxed) + f.size > config_.max_total_bytes) {
        ++counters_.total_limit;
        return drop(f);
    }
    fs::create_directories(target.parent_path(), ec);
    if (!ec) fs::rename(f.tmp, target, ec);
    if (ec) {
        error("cannot store " + target.string() + ": " + ec.message());
        return drop(f);
    }
    stored_bytes_.fetch_add(f.size, std::memory_order_relaxed);
    ++counters_.stored;
}

void FileWriter::drop(OpenFile &f) {
    if (f.fd >= 0) ::close(f.fd);
    f.fd = -1;
    if (!f.tmp.empty()) ::unlink(f.tmp.c_str());
    f.tmp.clear();
}

void FileWriter::error(const std::string &what) {
    ++counters_.write_errors;
    if (last_error_.empty()) std::fprintf(stderr, "postern: output.files.store: %s\n", what.c_str());
    last_error_ = what;
}

}  // namespace postern::filestore
