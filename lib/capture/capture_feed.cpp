#include "capture_feed.hpp"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace postern::capture {

std::string CaptureFeed::start(const std::vector<CaptureFile> &files) {
    if (files.empty()) return "no captures to feed";
    const char *tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/postern-feed.XXXXXX";
    if (!mkdtemp(templ.data())) return "cannot make a folder for the capture FIFO: " + std::string(std::strerror(errno));
    dir_ = templ;
    fifo_ = dir_ + "/captures.pcap";
    if (mkfifo(fifo_.c_str(), 0600) != 0) {
        const std::string e = std::strerror(errno);
        rmdir(dir_.c_str());
        dir_.clear(), fifo_.clear();
        return "cannot make the capture FIFO: " + e;
    }
    writer_ = std::thread([this, files] { write_all(files); });
    return "";
}

void CaptureFeed::write_all(std::vector<CaptureFile> files) {
    // A reader that goes away makes writes fail with EPIPE instead of killing the process.
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);

    int snaplen = 0;
    for (const auto &f : files) snaplen = std::max(snaplen, f.snaplen);
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(files[0].linktype, snaplen, PCAP_TSTAMP_PRECISION_MICRO);
    pcap_dumper_t *out = dead ? pcap_dump_open(dead, fifo_.c_str()) : nullptr;  // blocks until the reader opens
    opened_.store(true);
    if (out && !stop_.load()) pcap_dump_flush(out);  // the reader's open waits for the file header
    for (const CaptureFile &f : files) {
        if (!out || stop_.load()) break;
        char errbuf[PCAP_ERRBUF_SIZE] = {};
        pcap_t *in = pcap_open_offline_with_tstamp_precision(f.path.c_str(), PCAP_TSTAMP_PRECISION_MICRO, errbuf);
        if (!in) break;
        pcap_pkthdr *hdr;
        const u_char *data;
        // Exactly the whole packets counted before the run: the reader ends when it has them all.
        for (uint64_t n = 0; n < f.packets && !stop_.load(std::memory_order_relaxed); ++n) {
            if (pcap_next_ex(in, &hdr, &data) != 1) break;
            pcap_dump(reinterpret_cast<u_char *>(out), hdr, data);
            if (std::ferror(pcap_dump_file(out))) stop_.store(true);
        }
        pcap_close(in);
    }
    if (out) pcap_dump_close(out);
    if (dead) pcap_close(dead);
}

void CaptureFeed::finish() {
    if (writer_.joinable()) {
        stop_.store(true);
        // A writer still waiting for a reader is released by one that opens and leaves at once
        // (again, until the writer is past its open: it may not have reached it yet).
        while (!opened_.load()) {
            const int fd = open(fifo_.c_str(), O_RDONLY | O_NONBLOCK);
            if (fd >= 0) close(fd);
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        writer_.join();
    }
    if (!fifo_.empty()) unlink(fifo_.c_str());
    if (!dir_.empty()) rmdir(dir_.c_str());
    fifo_.clear(), dir_.clear();
}

}  // namespace postern::capture
