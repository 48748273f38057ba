package dev.srouter.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * How every usage message is laid out: as wide as the terminal (picocli's auto width) but never
 * wider than {@link #MAX_WIDTH}, which keeps prose readable; headings for each part; and a
 * command's own options first, then the global ones (the root's, inherited by every command) in
 * a section of their own, with {@code [GLOBAL OPTIONS]} standing for them in the synopsis.
 */
final class HelpLayout {
    /** Lines longer than this are hard to read, however wide the terminal. */
    static final int MAX_WIDTH = 100;

    static final String SECTION_GLOBAL_OPTIONS_HEADING = "globalOptionListHeading";
    static final String SECTION_GLOBAL_OPTIONS = "globalOptionList";

    private HelpLayout() {}

    /** Applies the layout to {@code cmd} and all its subcommands. */
    static void apply(CommandLine cmd) {
        cmd.setUsageHelpAutoWidth(true);
        cmd.setHelpFactory(WidthCappedHelp::new);
        configure(cmd, true);
    }

    private static void configure(CommandLine cmd, boolean root) {
        UsageMessageSpec usage = cmd.getCommandSpec().usageMessage();
        usage.descriptionHeading("%n");
        usage.parameterListHeading("%nArguments:%n");
        usage.optionListHeading(root ? "%nGlobal options (every command takes them):%n" : "%nOptions:%n");
        usage.commandListHeading("%nCommands:%n");
        Map<String, CommandLine.IHelpSectionRenderer> sections = cmd.getHelpSectionMap();
        sections.put(UsageMessageSpec.SECTION_KEY_OPTION_LIST, help -> options(help, false));
        sections.put(SECTION_GLOBAL_OPTIONS_HEADING, help -> options(help, true).isEmpty() ? "" : help.createHeading("%nGlobal options:%n"));
        sections.put(SECTION_GLOBAL_OPTIONS, help -> options(help, true));
        List<String> keys = new ArrayList<>(cmd.getHelpSectionKeys());
        // setHelpSectionKeys on a command also sets its subcommands' keys: add the sections once.
        keys.removeAll(List.of(SECTION_GLOBAL_OPTIONS_HEADING, SECTION_GLOBAL_OPTIONS));
        keys.add(keys.indexOf(UsageMessageSpec.SECTION_KEY_END_OF_OPTIONS) + 1, SECTION_GLOBAL_OPTIONS_HEADING);
        keys.add(keys.indexOf(SECTION_GLOBAL_OPTIONS_HEADING) + 1, SECTION_GLOBAL_OPTIONS);
        cmd.setHelpSectionKeys(keys);
        for (CommandLine sub : cmd.getSubcommands().values()) {
            configure(sub, false);
        }
    }

    /** The command's own options ({@code inherited} false) or the global ones it inherits, in the columns of all of them. */
    private static String options(Help help, boolean inherited) {
        List<OptionSpec> chosen = help.commandSpec().options().stream()
                .filter(o -> !o.hidden() && o.group() == null && o.inherited() == inherited)
                .toList();
        if (chosen.isEmpty()) {
            return "";
        }
        return help.optionListExcludingGroups(chosen, help.createDefaultLayout(), help.createDefaultOptionSort(), help.parameterLabelRenderer());
    }

    /** A {@link Help} whose width is the detected terminal width capped at {@link #MAX_WIDTH}, and whose synopsis leaves the global options out. */
    private static final class WidthCappedHelp extends Help {
        WidthCappedHelp(CommandSpec spec, ColorScheme colorScheme) {
            super(capWidth(spec), colorScheme);
        }

        private static CommandSpec capWidth(CommandSpec spec) {
            UsageMessageSpec usage = spec.usageMessage();
            if (usage.autoWidth()) {
                int detected = usage.width(); // the terminal's, or the default width when not on a terminal
                usage.autoWidth(false);
                usage.width(Math.min(detected, MAX_WIDTH));
            }
            return spec;
        }

        @Override
        protected Text createDetailedSynopsisOptionsText(Collection<ArgSpec> done, List<OptionSpec> optionList, Comparator<OptionSpec> optionSort,
                boolean clusterBooleanOptions) {
            List<OptionSpec> own = optionList.stream().filter(o -> !o.inherited()).toList();
            Text text = super.createDetailedSynopsisOptionsText(done, own, optionSort, clusterBooleanOptions);
            return own.size() < optionList.size() ? text.concat(" [GLOBAL OPTIONS]") : text;
        }
    }
}
