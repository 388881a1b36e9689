// RFC 9457 problem details (application/problem+json) for every API error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "control/http_message.hpp"

namespace postern::control {

// {type, title, status, detail[, errors]}: type is "about:blank" (the status says it all) and
// title the status's reason phrase.
Response problem(unsigned status, std::string_view detail, const std::vector<std::string> &errors = {});
std::string_view reason_phrase(unsigned status);

}  // namespace postern::control
