// Streaming writer for the classic pcap format (microsecond timestamps, LINKTYPE_ETHERNET).
// Records are assembled in a large buffer and written with one fwrite per buffer, so multi-GB
// benchmark captures cost one copy per frame and no allocation per packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace postern::synth {

inline constexpr uint32_t kPcapMagicMicros = 0xA1B2C3D4;
inline constexpr uint32_t kLinktypeEthernet = 1;
inline constexpr size_t kPcapFileHeaderLen = 24;
inline constexpr size_t kPcapRecordHeaderLen = 16;

class PcapWriter {
public:
    // Opens `path` for writing ("-" is stdout) and writes the file header.
    // Throws std::runtime_error naming the path when it cannot be opened.
    explicit PcapWriter(const std::string &path, uint32_t snaplen = 65535,
                        size_t buffer_bytes = size_t{4} << 20);
    ~PcapWriter();  // flushes; errors there are lost, so call close() to see them
    PcapWriter(const PcapWriter &) = delete;
    PcapWriter &operator=(const PcapWriter &) = delete;

    // Copies one frame into the file.
    void write(uint64_t ts_us, const uint8_t *frame, uint32_t len);

    // Zero-copy variant: reserve() returns space for a frame of up to `max_len` bytes inside the
    // buffer; fill it and call commit() with the real length before any other call.
    uint8_t *reserve(uint32_t max_len);
    void commit(uint64_t ts_us, uint32_t len);

    // Flushes and closes; throws std::runtime_error on a write error (disk full, ...).
    void close();

    uint64_t file_bytes() const { return file_bytes_; }  // header + records, as on disk
    uint64_t frame_bytes() const { return frame_bytes_; }  // sum of frame lengths
    uint64_t packets() const { return packets_; }

private:
    void drain();
    static void put_u32(uint8_t *p, uint32_t v);

    std::string path_;
    std::FILE *file_ = nullptr;
    bool owns_file_ = false;
    uint32_t snaplen_;
    std::unique_ptr<uint8_t[]> buf_;
    size_t cap_;
    size_t used_ = 0;
    uint64_t file_bytes_ = 0;
    uint64_t frame_bytes_ = 0;
    uint64_t packets_ = 0;
};

}  // namespace postern::synth
