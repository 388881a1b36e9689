#include "synth/pcap_writer.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace postern::synth {

namespace {

[[noreturn]] void fail(const std::string &what, const std::string &path, int err) {
    throw std::runtime_error(what + " " + path + ": " + std::strerror(err));
}

}  // namespace

PcapWriter::PcapWriter(const std::string &path, uint32_t snaplen, size_t buffer_bytes)
    : path_(path), snaplen_(snaplen), cap_(buffer_bytes < (size_t{1} << 18) ? (size_t{1} << 18) : buffer_bytes) {
    if (path == "-") {
        file_ = stdout;
    } else {
        file_ = std::fopen(path.c_str(), "wb");
        if (file_ == nullptr) fail("cannot open", path, errno);
        owns_file_ = true;
    }
    buf_ = std::make_unique<uint8_t[]>(cap_);
    // Always little-endian (readers detect the order from the magic), so the same arguments give
    // the same bytes on every host.
    uint8_t *h = buf_.get();
    put_u32(h + 0, kPcapMagicMicros);
    put_u32(h + 4, 2 | (4u << 16));  // version 2.4: two little-endian u16
    put_u32(h + 8, 0);               // thiszone
    put_u32(h + 12, 0);              // sigfigs
    put_u32(h + 16, snaplen_);
    put_u32(h + 20, kLinktypeEthernet);
    used_ = kPcapFileHeaderLen;
    file_bytes_ = kPcapFileHeaderLen;
}

PcapWriter::~PcapWriter() {
    try {
        close();
    } catch (...) {
        // Destructors must not throw; close() explicitly to see the error.
    }
}

void PcapWriter::put_u32(uint8_t *p, uint32_t v) {
    p[0] = static_cast<uint8_t>(v);
    p[1] = static_cast<uint8_t>(v >> 8);
    p[2] = static_cast<uint8_t>(v >> 16);
    p[3] = static_cast<uint8_t>(v >> 24);
}

void PcapWriter::drain() {
    if (used_ == 0 || file_ == nullptr) return;
    if (std::fwrite(buf_.get(), 1, used_, file_) != used_) fail("cannot write", path_, errno);
    used_ = 0;
}

uint8_t *PcapWriter::reserve(uint32_t max_len) {
    // The whole frame is built in place even when the record will be snapped shorter.
    if (kPcapRecordHeaderLen + max_len > cap_) throw std::length_error("pcap frame too large");
    if (used_ + kPcapRecordHeaderLen + max_len > cap_) drain();
    return buf_.get() + used_ + kPcapRecordHeaderLen;
}

void PcapWriter::commit(uint64_t ts_us, uint32_t len) {
    uint8_t *rec = buf_.get() + used_;
    const uint32_t caplen = len > snaplen_ ? snaplen_ : len;
    put_u32(rec + 0, static_cast<uint32_t>(ts_us / 1000000));
    put_u32(rec + 4, static_cast<uint32_t>(ts_us % 1000000));
    put_u32(rec + 8, caplen);
    put_u32(rec + 12, len);
    used_ += kPcapRecordHeaderLen + caplen;
    file_bytes_ += kPcapRecordHeaderLen + caplen;
    frame_bytes_ += len;
    ++packets_;
}

void PcapWriter::write(uint64_t ts_us, const uint8_t *frame, uint32_t len) {
    uint8_t *dst = reserve(len);
    std::memcpy(dst, frame, len > snaplen_ ? snaplen_ : len);
    commit(ts_us, len);
}

void PcapWriter::close() {
    if (file_ == nullptr) return;
    std::FILE *f = file_;
    try {
        drain();
    } catch (...) {
        file_ = nullptr;
        if (owns_file_) std::fclose(f);
        throw;
    }
    file_ = nullptr;
    const bool flush_failed = std::fflush(f) != 0;
    const int err = errno;
    const bool close_failed = owns_file_ && std::fclose(f) != 0;
    if (flush_failed || close_failed) fail("cannot write", path_, err);
}

}  // namespace postern::synth
