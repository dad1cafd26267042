// The one translation unit that compiles Beast's and Asio's implementation
// (BOOST_*_SEPARATE_COMPILATION): everything else only sees declarations.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
