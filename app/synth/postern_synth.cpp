// postern-synth: writes a deterministic capture of synthetic TCP sessions and, optionally, the
// ground truth for each flow. See docs/synth.md.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "synth/cli_options.hpp"
#include "synth/expected_writer.hpp"
#include "synth/pcap_writer.hpp"
#include "synth/scenario/scenario.hpp"
#include "synth/traffic.hpp"

namespace {

namespace synth = postern::synth;

nlohmann::ordered_json meta(const synth::CliOptions &o, const std::vector<std::string> &args) {
    std::string command = "postern-synth";
    for (const auto &a : args) command += " " + a;
    return {{"generator", "postern-synth"}, {"format_version", 1}, {"seed", o.traffic.seed},
            {"command", command}, {"pcap", o.out}};
}

}  // namespace

int main(int argc, char **argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    synth::CliOptions opts;
    if (const std::string err = synth::parse_cli(args, opts); !err.empty()) {
        std::fprintf(stderr, "postern-synth: %s\n", err.c_str());
        return 2;
    }
    if (opts.help) {
        std::fputs(synth::cli_usage().c_str(), stdout);
        return 0;
    }
    try {
        synth::PcapWriter pcap(opts.out);
        std::unique_ptr<synth::ExpectedWriter> expected;
        if (!opts.expected.empty()) expected = std::make_unique<synth::ExpectedWriter>(opts.expected, meta(opts, args));
        synth::TrafficStats st;
        if (!opts.scenarios.empty()) {
            st.flows = synth::generate_scenarios(opts.scenarios, opts.traffic.seed, opts.traffic.start_us, pcap,
                                                 expected.get());
            st.packets = pcap.packets(), st.frame_bytes = pcap.frame_bytes(), st.file_bytes = pcap.file_bytes();
        } else {
            st = synth::generate_traffic(opts.traffic, pcap, expected.get());
        }
        pcap.close();
        if (expected)
            expected->finish({{"flows", st.flows}, {"packets", st.packets}, {"frame_bytes", st.frame_bytes},
                              {"file_bytes", st.file_bytes}});
        std::fprintf(stderr, "postern-synth: %llu flows, %llu packets, %llu bytes written to %s\n",
                     static_cast<unsigned long long>(st.flows), static_cast<unsigned long long>(st.packets),
                     static_cast<unsigned long long>(st.file_bytes), opts.out.c_str());
        return 0;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "postern-synth: %s\n", e.what());
        return 1;
    }
}
