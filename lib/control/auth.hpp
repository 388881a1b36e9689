// Bearer-token authorisation of mutating API calls. The token comes from a file or an
// environment variable named in the config; without one, mutating calls are refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "control/http_message.hpp"

namespace postern::control {

struct TokenLoad {
    std::string token;  // "" when none is configured
    std::string error;  // "api.token_file: ..." when one is configured but unusable
    std::string warning;  // "api.token_file: ... readable by other users" (the run goes on)
};
TokenLoad load_token(const config::Api &api);

// Compares in time that depends only on the lengths, so a wrong token leaks nothing by timing.
bool constant_time_equal(std::string_view a, std::string_view b);

// nullopt when `authorization` carries the configured token; otherwise the 401/403 answer.
std::optional<Response> check_bearer(std::string_view configured, std::string_view authorization);

}  // namespace postern::control
