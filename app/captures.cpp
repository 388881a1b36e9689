#include "captures.hpp"

#include <cstdio>
#include <filesystem>

namespace postern::app {

namespace {

void warn(const std::string &w) { std::fprintf(stderr, "postern: warning: %s\n", w.c_str()); }

// in_iface of a -r run: the capture's name, or the folder's.
std::string port_name(const std::string &arg) {
    const std::filesystem::path p = std::filesystem::path(arg).lexically_normal();
    const std::string name = p.filename().string();
    return name.empty() ? p.parent_path().filename().string() : name;
}

std::string read_port(config::Config &c, const std::vector<std::string> &read_paths, capture::CaptureFeed &feed) {
    const capture::CaptureList list = capture::list_captures(read_paths);
    for (const auto &w : list.warnings) warn(w);
    if (!list.error.empty()) return "-r: " + list.error;
    const capture::CaptureFile &first = list.files.front();
    std::string file = first.path;
    if (list.files.size() > 1 || !first.damage.empty() || file.find(',') != std::string::npos) {
        if (std::string e = feed.start(list.files); !e.empty()) return "-r: " + e;
        file = feed.path();
    }
    if (list.files.size() > 1)
        std::fprintf(stderr, "postern: reading %zu captures, %llu packets, as one run\n", list.files.size(),
                     static_cast<unsigned long long>(list.packets()));
    config::Port port;
    port.name = port_name(read_paths.front());
    port.device = "net_pcap0,rx_pcap=" + file;
    port.capture_packets = list.packets();
    c.ports = {port};
    return "";
}

}  // namespace

std::string prepare_capture_ports(config::Config &c, const std::vector<std::string> &read_paths,
                                  capture::CaptureFeed &feed) {
    if (!read_paths.empty()) return read_port(c, read_paths, feed);
    for (size_t i = 0; i < c.ports.size(); ++i) {
        config::Port &p = c.ports[i];
        const std::string file = p.capture_file();
        if (file.empty() || p.capture_packets) continue;
        capture::CaptureFile f;
        if (std::string e = capture::scan_capture(file, f); !e.empty())
            return "ports[" + std::to_string(i) + "].device: " + file + " " + e;
        if (!f.damage.empty()) warn(capture::damage_warning(f));
        p.capture_packets = f.packets;
    }
    return "";
}

}  // namespace postern::app
