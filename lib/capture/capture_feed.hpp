// Several captures as one pcap stream, written into a FIFO that net_pcap reads as its rx_pcap
// file. net_pcap reads one file per queue, but an offline run over several files must be one
// continuous run (flows that span files continue), and a damaged capture must stop at its last
// whole packet. The writer thread reads each file's whole packets in order; nothing is copied to
// disk.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "capture_files.hpp"

namespace postern::capture {

class CaptureFeed {
public:
    CaptureFeed() = default;
    CaptureFeed(const CaptureFeed &) = delete;
    CaptureFeed &operator=(const CaptureFeed &) = delete;
    ~CaptureFeed() { finish(); }

    // Makes the FIFO (in a private folder under $TMPDIR) and starts the writer, which waits for
    // the reader. Returns an error, or "".
    std::string start(const std::vector<CaptureFile> &files);
    const std::string &path() const { return fifo_; }

    // Stops the writer (whether or not a reader came), joins it and removes the FIFO.
    void finish();

private:
    void write_all(std::vector<CaptureFile> files);

    std::string dir_, fifo_;
    std::thread writer_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> opened_{false};  // the writer is past its (blocking) open of the FIFO
};

}  // namespace postern::capture
