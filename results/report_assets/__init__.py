"""Static files of the HTML reports (the chart script and the stylesheet), read with importlib.resources."""
