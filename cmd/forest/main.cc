#include "cli/app.h"

int main(int argc, char** argv) { return forest::cli::RunForest(argc, argv); }
