# Rules without a package.
deny contains "x" if { true }
