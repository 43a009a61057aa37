package dev.ferry.relay.gateway;

/**
 * The commands the gateway never forwards as the client sent them: long-address modes it does not
 * translate, CCC (the control connection stays as it is), and PORT/EPRT, which reach the server
 * only after a filter has checked and replaced them.
 */
final class RefusedCommands implements CommandFilter {
    static final String LPSV = "502 LPSV not supported through this relay; use PASV or EPSV.\r\n";
    static final String LPRT = "502 LPRT not supported through this relay; use PORT or EPRT.\r\n";
    static final String CCC = "533 CCC is refused: the control connection stays as it is.\r\n";
    static final String ACTIVE = "502 Active mode is not available through this relay; use PASV or EPSV.\r\n";

    @Override
    public Decision decide(FtpCommand command) {
        return switch (command.kind()) {
            case LPSV -> CommandFilter.answer(LPSV);
            case LPRT -> CommandFilter.answer(LPRT);
            case CCC -> CommandFilter.answer(CCC);
            case PORT, EPRT -> CommandFilter.answer(ACTIVE);
            default -> CommandFilter.forward();
        };
    }
}
