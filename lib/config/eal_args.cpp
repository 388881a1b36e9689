#include "config/eal_args.hpp"

#include <algorithm>

namespace postern::config {

unsigned memory_mb(const Config &c) {
    // struct rte_mbuf, our private area, mempool object headers and cache-line padding. Without
    // hugepages the pool is laid out in 4 KiB pages that objects may not straddle.
    const uint64_t object = uint64_t{c.mbuf_data_room} + 128 + 128 + 64;
    const uint64_t per_mbuf = object <= 4096 ? 4096 / (4096 / object) : (object + 4095) / 4096 * 4096;
    const uint64_t mbufs = uint64_t{c.mbufs} * per_mbuf * 9 / 8;  // slack for the allocator
    const uint64_t rings = uint64_t{c.ring_size} * 8 * c.lcores.rx.size() * c.lcores.workers.size();
    const uint64_t bytes = mbufs + rings + (256ull << 20);
    return static_cast<unsigned>((bytes + (1 << 20) - 1) >> 20);
}

void append_port_args(const Config &c, std::vector<std::string> &args) {
    for (const auto &p : c.ports) {
        args.push_back(p.is_pci() ? "-a" : "--vdev");
        args.push_back(p.device);
    }
}

std::vector<std::string> build_eal_args(const Config &c, const std::string &program,
                                        const std::vector<unsigned> &cpus) {
    std::vector<std::string> args{program};
    const bool own_args = !c.eal_args.empty();
    if (own_args) {
        args.insert(args.end(), c.eal_args.begin(), c.eal_args.end());
    } else {
        // A PCI port needs the PCI bus that --no-pci would switch off.
        const bool pci = std::any_of(c.ports.begin(), c.ports.end(), [](const Port &p) { return p.is_pci(); });
        args.push_back("--no-huge");
        if (!pci) args.push_back("--no-pci");
        args.insert(args.end(), {"--no-shconf", "-m", std::to_string(memory_mb(c))});
    }
    const bool has_lcores = std::any_of(c.eal_args.begin(), c.eal_args.end(), [](const std::string &a) {
        // -l and -c also take their value attached ("-l0-3", "-c0xf").
        return a.rfind("-l", 0) == 0 || a.rfind("-c", 0) == 0 || a == "--lcores" || a.rfind("--lcores=", 0) == 0;
    });
    if (!has_lcores) {
        // Every lcore may run on any of our CPUs: on a small machine they share them.
        std::string cpuset;
        for (unsigned cpu : cpus) {
            if (!cpuset.empty()) cpuset += ',';
            cpuset += std::to_string(cpu);
        }
        std::vector<unsigned> lcores{c.lcores.control};
        lcores.insert(lcores.end(), c.lcores.rx.begin(), c.lcores.rx.end());
        lcores.insert(lcores.end(), c.lcores.workers.begin(), c.lcores.workers.end());
        std::string map;
        for (unsigned l : lcores) {
            if (!map.empty()) map += ',';
            map.append(std::to_string(l)).append("@(").append(cpuset).append(")");
        }
        args.insert(args.end(), {"--lcores", map, "--main-lcore", std::to_string(c.lcores.control)});
    }
    const bool has_log = std::any_of(c.eal_args.begin(), c.eal_args.end(),
                                     [](const std::string &a) { return a.rfind("--log-level", 0) == 0; });
    if (!has_log) args.push_back("--log-level=*:warning");
    if (!own_args) args.push_back("--no-telemetry");  // no socket for a tool run
    append_port_args(c, args);
    return args;
}

}  // namespace postern::config
