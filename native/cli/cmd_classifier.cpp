// `drift-train classifier`: trains the evaluation classifier on the train split, reports
// test accuracy and stores it next to the data, where `drift-train eval` finds it.
#include <iostream>

#include "drift/eval/classifier.h"
#include "drift/data/image_dataset.h"
#include "drift/eval/image_data.h"
#include "registry.h"
#include "validators.h"

namespace {

struct ClassifierArgs {
  std::string data_dir = "data";
  std::string dataset = "mnist";
  std::string out;  // default: <dataset dir>/classifier.pt
  drift::eval::ClassifierTrainOptions train;
};

void run_classifier(const ClassifierArgs& a) {
  using namespace drift::eval;
  const std::string dir = drift::data::image_dataset_dir(a.dataset, a.data_dir);
  auto train = load_image_split(a.dataset, a.data_dir, "train");
  auto test = load_image_split(a.dataset, a.data_dir, "test");
  std::cout << "classifier: " << a.dataset << " train " << train.images.size(0) << ", test "
            << test.images.size(0) << " images, " << a.train.epochs << " epochs" << std::endl;
  auto c = train_classifier(train, test, a.train, a.dataset, &std::cout);
  const std::string out = a.out.empty() ? default_classifier_path(dir) : a.out;
  save_classifier(c, out);
  std::cout << "test accuracy " << c.meta.test_accuracy * 100.0 << "% on " << test.images.size(0)
            << " test images; saved " << out << std::endl;
}

void add_classifier(CLI::App& app) {
  auto args = std::make_shared<ClassifierArgs>();
  auto* cmd = app.add_subcommand(
      "classifier", "Train the evaluation classifier (train split only) used by `eval`");
  cmd->add_option("--data-dir", args->data_dir, "Folder holding the datasets")->capture_default_str();
  cmd->add_option("--dataset", args->dataset, "mnist | fashion-mnist | idx:DIR")->capture_default_str();
  cmd->add_option("--out", args->out, "Output file (default: <dataset dir>/classifier.pt)");
  cmd->add_option("--epochs", args->train.epochs, "Training epochs")->capture_default_str()->check(CLI::Range(1, 100000));
  cmd->add_option("--batch", args->train.batch, "Batch size")->capture_default_str()->check(CLI::Range(1, 1000000));
  cmd->add_option("--lr", args->train.lr, "Adam learning rate (linear decay to 0)")->capture_default_str()
      ->check(drift::cli::finite_positive());
  cmd->add_option("--seed", args->train.seed, "Random seed")->capture_default_str();
  cmd->callback([args] { run_classifier(*args); });
}

}  // namespace

DRIFT_REGISTER_COMMAND(add_classifier);
