// Request targets: the path, the query parameters, and the typed parameter values the API takes
// (counts, ISO 8601 or unix times). Errors name the parameter and the reason.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace postern::control {

struct Target {
    std::string path;
    std::map<std::string, std::string, std::less<>> params;  // percent-decoded
    std::string error;  // a malformed query, naming the parameter
};
Target parse_target(std::string_view target);

// "2026-11-27T11:00:00Z", "...T11:00:00.123456+0000", "+00:00" offsets, or unix seconds
// ("1700000000", "1700000000.5"). Nanoseconds since the epoch, or nullopt.
std::optional<uint64_t> parse_time(std::string_view text);

// Reads params[name] as an integer in [min, max] (default when absent); on error returns false
// and sets `error` to "NAME: reason".
bool uint_param(const Target &t, std::string_view name, uint64_t min, uint64_t max, uint64_t &out, std::string &error);

}  // namespace postern::control
