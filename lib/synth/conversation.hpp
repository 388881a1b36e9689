// What a TCP session says: the ordered application bytes of each side, like a transcript.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/named_enum.hpp"

namespace postern::synth {

enum class Side : uint8_t { Client = 0, Server = 1 };

inline constexpr Side other(Side s) { return s == Side::Client ? Side::Server : Side::Client; }
inline constexpr int index(Side s) { return static_cast<int>(s); }

// One write by one side: its bytes are sent back to back, then the other side may answer.
struct Exchange {
    Side from = Side::Client;
    std::vector<uint8_t> data;
    int64_t think_us = -1;  // pause before this exchange; -1 = the session's default
};

// How the session ends in the capture.
#define POSTERN_TEARDOWNS(X)                                                     \
    X(FinClient, "fin_client") /* client FIN, server FIN, client ACK */          \
    X(FinServer, "fin_server") /* server closes first (SMTP after QUIT, POP3) */ \
    X(Rst, "rst") /* client resets */                                            \
    X(None, "none") /* still open when the capture ends */
POSTERN_NAMED_ENUM(Teardown, POSTERN_TEARDOWNS);

struct Conversation {
    std::vector<Exchange> exchanges;
    Teardown teardown = Teardown::FinClient;
    // Generator-provided ground truth (null or an object): its keys are appended to the flow's
    // object in the expected JSON, e.g. "mail" for the mail generators.
    nlohmann::ordered_json truth;

    void add(Side from, std::string_view text, int64_t think_us = -1) {
        Exchange e;
        e.from = from;
        e.data.assign(text.begin(), text.end());
        e.think_us = think_us;
        exchanges.push_back(std::move(e));
    }
    void client(std::string_view text) { add(Side::Client, text); }
    void server(std::string_view text) { add(Side::Server, text); }
};

}  // namespace postern::synth
