# Loss and accuracy curves from a training run's metrics CSV (as examples/mnist_cnn writes it:
# epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds) to a PNG.
#   gnuplot -e "csv='mnist_cnn_metrics.csv'; png='mnist_cnn_metrics.png'" tools/plot_metrics.gnuplot
# Both variables are optional (those are the defaults).
if (!exists("csv")) csv = 'mnist_cnn_metrics.csv'
if (!exists("png")) png = 'mnist_cnn_metrics.png'

# pngcairo draws smoother lines; plain png (libgd) is the fallback on minimal installs.
if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1000,420 font "sans,10"
} else {
  set terminal png size 1000,420
}
set output png
set datafile separator ","
set key autotitle columnhead
set grid
set xlabel "epoch"
set xtics 1
# noenhanced: underscores in the file name are not subscripts
set multiplot layout 1,2 title sprintf("training metrics (%s)", csv) noenhanced

set title "loss (cross-entropy)"
set ylabel "loss"
set logscale y
plot csv using 1:2 with linespoints lw 2 title "train", \
     ''  using 1:4 with linespoints lw 2 title "held out"

set title "accuracy"
set ylabel "% correct"
unset logscale y
set key bottom right
plot csv using 1:3 with linespoints lw 2 title "train", \
     ''  using 1:5 with linespoints lw 2 title "held out"

unset multiplot
set output
print sprintf("wrote %s", png)
